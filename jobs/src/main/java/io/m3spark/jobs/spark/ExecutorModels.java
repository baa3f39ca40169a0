package io.m3spark.jobs.spark;

import ai.djl.Device;
import io.m3spark.model.M3Model;
import io.m3spark.sources.ModelSources;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models of this JVM: one per (model, device, precision), loaded by the first task that needs it and then reused
 * by every later task of the JVM, instead of once per task. Forward passes on one model are serialised by its lock: on a GPU
 * two concurrent batches would only compete for memory, and on a CPU libtorch already uses every core for one batch.
 * The model folder comes from {@link ModelSources}: a local folder as is, a Hadoop folder or Hub model copied into the
 * local cache once per JVM, a built-in name imported once per host.
 *
 * <p>A local folder is also keyed by a stamp of its files (names, sizes, modification times): a long-lived JVM (tests,
 * notebooks, a job that evaluates a model retrained into the same folder) then loads the new weights instead of serving
 * the old ones, and the stale model is closed.
 */
public final class ExecutorModels {

  private static final Logger LOG = LoggerFactory.getLogger(ExecutorModels.class);

  /** What identifies a loaded model. */
  private record Key(ModelSpec spec, String device, String folderStamp) {}

  /** A loaded model and the lock its forward passes take. */
  public record SharedModel(M3Model model, ReentrantLock lock) {}

  private static final ConcurrentHashMap<Key, SharedModel> MODELS = new ConcurrentHashMap<>();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> MODELS.values().forEach(m -> m.model().close()),
        "m3spark-close-models"));
  }

  private ExecutorModels() {}

  /** The model of {@code spec} on {@code device}, loading it if this JVM has not yet. */
  public static SharedModel get(ModelSpec spec, Device device) {
    Key key = new Key(spec, device.toString(), folderStamp(spec.nameOrPath()));
    SharedModel shared = MODELS.get(key);
    if (shared != null) {
      return shared;
    }
    synchronized (MODELS) {
      shared = MODELS.get(key);
      if (shared == null) {
        closeStaleVersions(key);
        shared = load(spec, device);
        MODELS.put(key, shared);
      }
      return shared;
    }
  }

  /** Closes (under their lock, so no forward pass is cut short) the models loaded from an earlier state of the folder. */
  private static void closeStaleVersions(Key current) {
    MODELS.entrySet().removeIf(e -> {
      Key k = e.getKey();
      if (!k.spec().equals(current.spec()) || !k.device().equals(current.device())) {
        return false;
      }
      LOG.info("model folder {} changed since it was loaded: reloading", k.spec().nameOrPath());
      e.getValue().lock().lock();
      try {
        e.getValue().model().close();
      } finally {
        e.getValue().lock().unlock();
      }
      return true;
    });
  }

  /** Names, sizes and modification times of a local folder's files; empty for anything that is not a local folder. */
  static String folderStamp(String nameOrPath) {
    Path folder;
    try {
      folder = Paths.get(nameOrPath);
    } catch (InvalidPathException e) {
      return "";
    }
    if (!Files.isDirectory(folder)) {
      return "";
    }
    try (Stream<Path> files = Files.list(folder)) {
      StringBuilder stamp = new StringBuilder();
      for (Path f : files.sorted().toList()) {
        BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
        stamp.append(f.getFileName()).append(':').append(a.size()).append(':')
            .append(a.lastModifiedTime().to(TimeUnit.NANOSECONDS)).append(';');
      }
      return stamp.toString();
    } catch (IOException e) {
      return "";
    }
  }

  /** The local folder of the model, fetched or imported first when it lives elsewhere. */
  static Path resolve(ModelSpec spec) {
    try {
      return ModelSources.resolve(spec.nameOrPath(), spec.sources());
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    }
  }

  private static SharedModel load(ModelSpec spec, Device device) {
    long start = System.nanoTime();
    Path folder = resolve(spec);
    M3Model model;
    try {
      model = M3Model.load(folder, spec.loadOptions(device));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot load model " + spec.nameOrPath() + ": " + e.getMessage(), e);
    }
    LOG.info("loaded model {} from {} on {} (fp16={}) in {} ms", spec.nameOrPath(), folder, device, spec.fp16(),
        (System.nanoTime() - start) / 1_000_000);
    return new SharedModel(model, new ReentrantLock(true));
  }
}
