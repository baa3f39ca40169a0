package io.m3spark.jobs.spark;

import ai.djl.Device;
import io.m3spark.model.LoadOptions;
import io.m3spark.model.M3Model;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.SparkEnv;
import org.apache.spark.deploy.SparkHadoopUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models of this JVM: one per (model folder, device, precision), loaded by the first task that needs it and then reused
 * by every later task of the JVM, instead of once per task. Forward passes on one model are serialised by its lock: on a GPU
 * two concurrent batches would only compete for memory, and on a CPU libtorch already uses every core for one batch.
 * A model folder on a non-local file system (hdfs://, s3a://) is copied to local disk once per JVM first.
 */
public final class ExecutorModels {

  private static final Logger LOG = LoggerFactory.getLogger(ExecutorModels.class);

  /** What identifies a loaded model. */
  public record Key(String modelPath, String device, boolean fp16) implements Serializable {}

  /** A loaded model and the lock its forward passes take. */
  public record SharedModel(M3Model model, ReentrantLock lock) {}

  private static final ConcurrentHashMap<Key, SharedModel> MODELS = new ConcurrentHashMap<>();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> MODELS.values().forEach(m -> m.model().close()),
        "m3spark-close-models"));
  }

  private ExecutorModels() {}

  public static Key key(String modelPath, Device device, boolean fp16) {
    return new Key(modelPath, device.toString(), fp16);
  }

  public static SharedModel get(Key key, Device device) {
    return MODELS.computeIfAbsent(key, k -> {
      long start = System.nanoTime();
      M3Model model;
      try {
        model = M3Model.load(localFolder(k.modelPath()), LoadOptions.builder().device(device).fp16(k.fp16()).build());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot load model " + k.modelPath() + ": " + e.getMessage(), e);
      }
      LOG.info("loaded model {} on {} (fp16={}) in {} ms", k.modelPath(), device, k.fp16(),
          (System.nanoTime() - start) / 1_000_000);
      return new SharedModel(model, new ReentrantLock(true));
    });
  }

  private static Path localFolder(String modelPath) {
    URI uri = URI.create(modelPath.replace(" ", "%20"));
    if (uri.getScheme() == null) {
      return Paths.get(modelPath);
    }
    if (uri.getScheme().equals("file")) {
      return Paths.get(uri);
    }
    try {
      Path local = Files.createTempDirectory("m3spark-model-");
      Path target = local.resolve(UUID.nameUUIDFromBytes(modelPath.getBytes(StandardCharsets.UTF_8)).toString());
      Configuration conf = SparkEnv.get() == null ? new Configuration()
          : SparkHadoopUtil.get().newConfiguration(SparkEnv.get().conf());
      org.apache.hadoop.fs.Path source = new org.apache.hadoop.fs.Path(modelPath);
      FileSystem fs = source.getFileSystem(conf);
      fs.copyToLocalFile(false, source, new org.apache.hadoop.fs.Path(target.toUri()), true);
      LOG.info("copied model {} to {}", modelPath, target);
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy model folder " + modelPath + " to local disk", e);
    }
  }
}
