package io.m3spark.train.checkpoint;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What {@code trainer_state.json} holds: where training stood when the checkpoint was taken and the flags it ran with,
 * so a resume can continue from the same place and refuse flags that would change the run.
 *
 * @param globalStep optimizer steps taken; the checkpoint folder is {@code checkpoint-<globalStep>}
 * @param dataPosition batches of the current epoch already consumed
 * @param lossHistoryLength entries the {@link LossLog} held, so a resumed log can be cut back to match
 * @param worldSize W, the number of workers of the run that wrote it; null in checkpoints written before it was
 *     recorded
 * @param flags the training flags by name, as given
 */
public record TrainerState(@JsonProperty("global_step") long globalStep, @JsonProperty("epoch") long epoch,
    @JsonProperty("data_position") long dataPosition, @JsonProperty("loss_history_length") int lossHistoryLength,
    @JsonProperty("world_size") Integer worldSize, @JsonProperty("flags") Map<String, String> flags) {

  public TrainerState {
    if (globalStep < 0 || epoch < 0 || dataPosition < 0 || lossHistoryLength < 0) {
      throw new IllegalArgumentException("trainer state counters must be >= 0");
    }
    if (worldSize != null && worldSize < 1) {
      throw new IllegalArgumentException("world_size must be >= 1, got " + worldSize);
    }
    flags = Collections.unmodifiableMap(new TreeMap<>(flags));
  }

  /**
   * Why this checkpoint cannot continue on {@code workers} workers, if it cannot. The data position counts global
   * batches of W × batch size, and which records each worker takes depends on W, so another W would not continue the
   * saved run. Empty when W matches or was not recorded.
   */
  public Optional<String> worldSizeConflict(int workers) {
    if (worldSize == null || worldSize == workers) {
      return Optional.empty();
    }
    return Optional.of(String.format("it was written by a run of %d worker(s) and cannot continue on %d: the data "
        + "order (which records each worker takes at each step, and where the saved position points) depends on the "
        + "number of workers; resume with --num_workers %d", worldSize, workers, worldSize));
  }
}
