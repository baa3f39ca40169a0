package io.m3spark.train.checkpoint;

import io.m3spark.io.AtomicFiles;
import io.m3spark.io.OutputFolder;
import io.m3spark.io.Trees;
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
  /** Written last, and removed first: a folder with it holds a complete model. */
  static final String CONFIG = "config.json";

  private FinalModelWriter() {}

  /**
   * Writes {@code model} into {@code folder} (the run's output folder, which also holds checkpoints and the loss log);
   * without unified fine-tuning the head files then come from {@code baseModelFolder}. A head file the base lacks
   * keeps what the model holds (the heads it was initialised with), with a warning.
   *
   * <p>The model is saved complete into a staging folder first (the base's heads included), then an earlier model's
   * {@code config.json} is deleted and the files are moved in and published one by one, each atomically,
   * {@code config.json} last: whatever the store, a crash leaves no {@code config.json} or a complete model, never a
   * truncated file or a model mixing two runs' files under a config that says it is complete.
   */
  public static void write(M3Model model, OutputFolder folder, boolean unifiedFinetuning, Path baseModelFolder)
      throws IOException {
    Path staging = folder.local(".final-model");
    Trees.delete(staging);
    model.save(staging);
    if (!unifiedFinetuning) {
      copyBaseHeads(baseModelFolder, staging);
    }
    List<Path> files;
    try (Stream<Path> list = Files.list(staging)) {
      files = list.sorted(Comparator.comparing((Path p) -> p.getFileName().toString().equals(CONFIG))).toList();
    }
    folder.delete(CONFIG);
    for (Path f : files) {
      String name = f.getFileName().toString();
      AtomicFiles.moveInto(f, folder.local(name));
      folder.publish(name);
    }
    Trees.delete(staging);
  }

  private static void copyBaseHeads(Path baseModelFolder, Path staging) throws IOException {
    for (String name : HEAD_FILES) {
      Path source = baseModelFolder.resolve(name);
      if (!Files.isRegularFile(source)) {
        LOG.warn("base model {} has no {}: the output keeps the heads the model was initialised with",
            baseModelFolder, name);
        continue;
      }
      Files.copy(source, staging.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
