package io.m3spark.train.checkpoint;

import io.m3spark.io.AtomicFiles;
import io.m3spark.io.OutputFolder;
import io.m3spark.io.Trees;
import io.m3spark.model.M3Model;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes {@code output_dir/checkpoint-N/} every {@code save_steps}: the model in Hugging Face layout (so the folder
 * loads as a model on its own), {@code optimizer.safetensors}, {@code scheduler.json}, {@code rng.json} and
 * {@code trainer_state.json}.
 *
 * <p>Everything goes into a hidden temporary folder that is renamed to {@code checkpoint-N} only once complete: a job
 * killed mid-write leaves a {@code .tmp} folder that {@link CheckpointReader#latest} ignores, never a half checkpoint
 * that a resume would pick up. On a Hadoop store that folder is then published ({@link OutputFolder#publishFolder})
 * with {@code trainer_state.json} uploaded last, so the rule holds on object stores too. After each write the oldest
 * complete checkpoints beyond {@code save_total_limit} are deleted, on the store.
 */
public final class CheckpointWriter {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointWriter.class);

  private final OutputFolder outputDir;
  private final int saveTotalLimit;

  /** @param saveTotalLimit how many checkpoints to keep; 0 keeps all (Hugging Face's {@code None}) */
  public CheckpointWriter(OutputFolder outputDir, int saveTotalLimit) {
    if (saveTotalLimit < 0) {
      throw new IllegalArgumentException("save_total_limit must be >= 0 (0 keeps all), got " + saveTotalLimit);
    }
    this.outputDir = outputDir;
    this.saveTotalLimit = saveTotalLimit;
  }

  /** Writes the checkpoint for {@code state.trainer().globalStep()}, replacing one of the same step, and prunes. */
  public OutputFolder write(M3Model model, TrainingState state) throws IOException {
    return write(model, state, List.of());
  }

  /**
   * As {@link #write(M3Model, TrainingState)}, with the run's loss history so far in the checkpoint's own
   * {@code training_loss.json}: the output folder's copy is only rewritten every {@value LossLog#REWRITE_EVERY} steps,
   * so a resume takes the history from the checkpoint ({@link LossLog#resume}).
   */
  public OutputFolder write(M3Model model, TrainingState state, List<LossRecord> lossHistory) throws IOException {
    String name = CheckpointFolders.name(state.trainer().globalStep());
    Path target = outputDir.local(name);
    Path tmp = AtomicFiles.tempSiblingFolder(target, "tmp");
    try {
      model.save(tmp);
      OptimizerFile.write(tmp.resolve(OptimizerFile.NAME), state.optimizer());
      CheckpointJson.write(tmp.resolve(CheckpointReader.SCHEDULER), state.scheduler());
      CheckpointJson.write(tmp.resolve(CheckpointReader.RNG), state.rng());
      if (state.lossScaler() != null) {
        CheckpointJson.write(tmp.resolve(CheckpointReader.LOSS_SCALER), state.lossScaler());
      }
      if (!lossHistory.isEmpty()) {
        LossLog.writeJson(tmp.resolve(LossLog.JSON_FILE), lossHistory);
      }
      // last: its presence is what marks a checkpoint complete
      CheckpointJson.write(tmp.resolve(CheckpointFolders.TRAINER_STATE), state.trainer());
      install(tmp, target);
    } catch (IOException | RuntimeException e) {
      deleteQuietly(tmp, e);
      throw e;
    }
    outputDir.publishFolder(name, CheckpointFolders.TRAINER_STATE);
    prune(name);
    return outputDir.child(name);
  }

  /** Renames the finished folder into place; an older checkpoint of the same step (a re-run) is set aside first. */
  private static void install(Path tmp, Path target) throws IOException {
    if (!Files.exists(target)) {
      AtomicFiles.moveInto(tmp, target);
      return;
    }
    Path old = AtomicFiles.tempSiblingFolder(target, "old");
    Files.delete(old);
    AtomicFiles.moveInto(target, old);
    AtomicFiles.moveInto(tmp, target);
    Trees.delete(old);
  }

  private void prune(String justWritten) throws IOException {
    if (saveTotalLimit == 0) {
      return;
    }
    List<OutputFolder> all = CheckpointFolders.complete(outputDir);
    int excess = all.size() - saveTotalLimit;
    for (OutputFolder p : all) {
      if (excess <= 0) {
        break;
      }
      if (!p.name().equals(justWritten)) {
        LOG.info("save_total_limit {}: deleting {}", saveTotalLimit, p);
        CheckpointFolders.delete(outputDir, p.name());
        excess--;
      }
    }
  }

  private static void deleteQuietly(Path tmp, Exception cause) {
    try {
      Trees.delete(tmp);
    } catch (IOException e) {
      cause.addSuppressed(e);
    }
  }
}
