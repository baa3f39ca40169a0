package io.m3spark.train.checkpoint;

import io.m3spark.io.AtomicFiles;
import io.m3spark.model.M3Model;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Saves the trained model as the run's final output (flagembedding-behaviour.md §4.8). FlagEmbedding writes no
 * {@code colbert_linear.pt} / {@code sparse_linear.pt} when {@code unified_finetuning} is off, and loading that folder
 * later gives randomly initialised heads. Dense-only training never changes the heads, so here the base model's head
 * files are copied over, byte for byte, and the output scores sparse and ColBERT exactly as the base did.
 */
public final class FinalModelWriter {
  private static final Logger LOG = LoggerFactory.getLogger(FinalModelWriter.class);
  static final String[] HEAD_FILES = {"colbert_linear.pt", "sparse_linear.pt"};

  private FinalModelWriter() {}

  /**
   * Writes {@code model} into {@code folder} (the run's output folder, which also holds checkpoints and the loss log);
   * without unified fine-tuning the head files then come from {@code baseModelFolder}. A head file the base lacks
   * keeps what the model holds (the heads it was initialised with), with a warning.
   *
   * <p>The model is saved complete into a staging folder first, then its files are moved in one by one (each move
   * atomic), {@code config.json} last: a crash leaves the previous files or the new ones, never a truncated file.
   */
  public static void write(M3Model model, Path folder, boolean unifiedFinetuning, Path baseModelFolder)
      throws IOException {
    Path staging = folder.resolve(".final-model");
    Trees.delete(staging);
    model.save(staging);
    List<Path> files;
    try (Stream<Path> list = Files.list(staging)) {
      files = list.sorted(Comparator.comparing((Path p) -> p.getFileName().toString().equals("config.json"))).toList();
    }
    for (Path f : files) {
      AtomicFiles.moveInto(f, folder.resolve(f.getFileName().toString()));
    }
    Trees.delete(staging);
    if (unifiedFinetuning) {
      return;
    }
    for (String name : HEAD_FILES) {
      Path source = baseModelFolder.resolve(name);
      if (!Files.isRegularFile(source)) {
        LOG.warn("base model {} has no {}: the output keeps the heads the model was initialised with",
            baseModelFolder, name);
        continue;
      }
      // each file replaced atomically: a crash leaves the saved head or the base's, never a truncated file
      Path target = folder.resolve(name);
      Path tmp = AtomicFiles.tempSibling(target);
      try {
        Files.copy(source, tmp, StandardCopyOption.REPLACE_EXISTING);
        AtomicFiles.moveInto(tmp, target);
      } finally {
        Files.deleteIfExists(tmp);
      }
    }
  }
}
