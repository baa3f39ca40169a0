package io.m3spark.jobs.evaluate;

import io.m3spark.io.HadoopStore;
import io.m3spark.io.OutputRule;
import io.m3spark.jobs.embed.EmbeddedRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Corpus embeddings of one model under {@code {corpus_embd_save_dir}/{model folder name}/} (any Hadoop path):
 * {@code embeddings/} (a Spark object file of {@link EmbeddedRecord}s: dense, and sparse/ColBERT when a retrieval mode
 * needs them) and {@code _cache_key.json}. The key is written last, so an interrupted write is never taken for a cache.
 */
final class CorpusEmbeddingCache {
  private static final Logger LOG = LoggerFactory.getLogger(CorpusEmbeddingCache.class);
  static final String KEY_FILE = "_cache_key.json";
  private static final String EMBEDDINGS = "embeddings";

  private final Path folder;
  private final FileSystem fs;

  CorpusEmbeddingCache(String saveDir, String modelFolderName, Configuration conf) {
    this.folder = folder(saveDir, modelFolderName);
    try {
      this.fs = folder.getFileSystem(conf);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open " + folder, e);
    }
  }

  private static Path folder(String saveDir, String modelFolderName) {
    return new Path(saveDir, modelFolderName);
  }

  /**
   * Checks, before any work, that the cache folder of each model may be replaced ({@link OutputRule}): a folder that
   * holds nothing but a cache ({@value #KEY_FILE}, {@code embeddings}), and neither the data set nor a model.
   */
  static void checkReplaceable(EvaluateArgs args, List<String> modelFolderNames, Configuration conf) {
    for (String name : modelFolderNames) {
      OutputRule.folder("--corpus_embd_save_dir", folder(args.corpusEmbdSaveDir, name).toString(), KEY_FILE,
              EMBEDDINGS).protect("--dataset_dir", args.datasetDir)
          .protectLocal("--embedder_name_or_path", args.embedderNameOrPath).protectLocal("--cache_dir", args.cacheDir)
          .check(true, "the corpus embedding cache", conf);
    }
  }

  /** The cached embeddings when their key equals {@code key}, else null (and the log says why). */
  JavaRDD<EmbeddedRecord> load(JavaSparkContext sc, CacheKey key) {
    Path keyFile = new Path(folder, KEY_FILE);
    try {
      if (!fs.exists(keyFile)) {
        LOG.info("no corpus embeddings cached in {}: embedding the corpus", folder);
        return null;
      }
      CacheKey stored;
      try (InputStream in = fs.open(keyFile)) {
        stored = CacheKey.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
      var differ = key.differences(stored);
      if (!differ.isEmpty()) {
        LOG.info("corpus embeddings in {} were computed with different {}: embedding the corpus again", folder, differ);
        return null;
      }
      LOG.info("reusing the corpus embeddings cached in {}", folder);
      return sc.objectFile(new Path(folder, EMBEDDINGS).toString());
    } catch (IOException e) {
      LOG.warn("cannot read the corpus embedding cache in {} ({}): embedding the corpus", folder, e.toString());
      return null;
    }
  }

  /** Replaces the cache with {@code embeddings} (already computed and persisted by the caller). */
  void save(JavaRDD<EmbeddedRecord> embeddings, CacheKey key) throws IOException {
    fs.delete(folder, true);
    embeddings.saveAsObjectFile(new Path(folder, EMBEDDINGS).toString());
    byte[] json = key.toJson().getBytes(StandardCharsets.UTF_8);
    HadoopStore.of(folder, fs.getConf()).write(new Path(folder, KEY_FILE), out -> out.write(json));
    LOG.info("cached the corpus embeddings in {}", folder);
  }
}
