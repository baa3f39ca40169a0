package io.m3spark.train.checkpoint;

import io.m3spark.io.OutputFolder;
import io.m3spark.model.LoadOptions;
import io.m3spark.model.M3Model;
import io.m3spark.train.precision.LossScalerState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Reads what {@link CheckpointWriter} wrote. The model weights are in the checkpoint folder in Hugging Face layout
 * and load with {@link M3Model#load(Path, LoadOptions)}; {@link #read} gives everything else, from a local folder (a
 * checkpoint on a Hadoop store is copied to the local disk first).
 */
public final class CheckpointReader {
  static final String SCHEDULER = "scheduler.json";
  static final String RNG = "rng.json";
  static final String LOSS_SCALER = "loss_scaler.json";

  private CheckpointReader() {}

  /** The complete checkpoint with the highest step in {@code outputDir}, if any; interrupted writes are ignored. */
  public static Optional<OutputFolder> latest(OutputFolder outputDir) throws IOException {
    List<OutputFolder> all = CheckpointFolders.complete(outputDir);
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
  }

  /**
   * Only the trainer state (step, data position, flags), read where the checkpoint is stored: cheap, where the weights
   * and the optimizer's moments are not needed.
   */
  public static TrainerState readTrainerState(OutputFolder checkpoint) throws IOException {
    return CheckpointJson.MAPPER.readValue(checkpoint.read(CheckpointFolders.TRAINER_STATE), TrainerState.class);
  }

  /** Optimizer, scheduler, RNG and trainer state of the checkpoint in {@code folder}. */
  public static TrainingState read(Path folder) throws IOException {
    return new TrainingState(OptimizerFile.read(folder.resolve(OptimizerFile.NAME)),
        CheckpointJson.read(folder.resolve(SCHEDULER), SchedulerState.class),
        CheckpointJson.read(folder.resolve(RNG), RngState.class),
        CheckpointJson.read(folder.resolve(CheckpointFolders.TRAINER_STATE), TrainerState.class),
        Files.exists(folder.resolve(LOSS_SCALER))
            ? CheckpointJson.read(folder.resolve(LOSS_SCALER), LossScalerState.class) : null);
  }
}
