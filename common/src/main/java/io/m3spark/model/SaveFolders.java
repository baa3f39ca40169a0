package io.m3spark.model;

import io.m3spark.io.AtomicFiles;
import io.m3spark.io.Trees;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * Puts a fully written temporary folder in place of a model folder, durably ({@link AtomicFiles#moveInto}: its files
 * are on disk before the folder has its name).
 */
final class SaveFolders {
  /** Files a saved model folder may hold; anything else in an existing target makes save refuse to replace it. */
  private static final Set<String> MODEL_FILES = Set.of("config.json", "model.safetensors", "model.safetensors.index.json",
      "pytorch_model.bin", "colbert_linear.pt", "sparse_linear.pt", "tokenizer.json", "tokenizer_config.json",
      "special_tokens_map.json", "sentencepiece.bpe.model");

  private SaveFolders() {}

  static void replace(Path tmp, Path target) throws IOException {
    if (!Files.exists(target)) {
      AtomicFiles.moveInto(tmp, target);
      return;
    }
    if (!Files.isDirectory(target)) {
      throw new IOException("cannot save the model to " + target + ": it exists and is not a folder");
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(target)) {
      for (Path p : ds) {
        if (!MODEL_FILES.contains(p.getFileName().toString()) || Files.isDirectory(p)) {
          throw new IOException("cannot save the model to " + target + ": it already holds " + p.getFileName()
              + ", which is not a model file; choose an empty or new folder");
        }
      }
    }
    Path old = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".old-");
    Files.delete(old);
    AtomicFiles.moveInto(target, old);
    try {
      AtomicFiles.moveInto(tmp, target);
    } catch (IOException e) {
      AtomicFiles.moveInto(old, target);
      throw e;
    }
    deleteRecursively(old);
  }

  static void deleteRecursively(Path p) {
    try {
      Trees.delete(p);
    } catch (IOException ignored) {
      // best effort: a leftover hidden temp folder is harmless
    }
  }
}
