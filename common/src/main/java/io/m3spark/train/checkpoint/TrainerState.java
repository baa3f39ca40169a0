package io.m3spark.train.checkpoint;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code trainer_state.json} holds: where training stood when the checkpoint was taken and the flags it ran with,
 * so a resume can continue from the same place and refuse flags that would change the run.
 *
 * @param globalStep optimizer steps taken; the checkpoint folder is {@code checkpoint-<globalStep>}
 * @param dataPosition batches of the current epoch already consumed
 * @param lossHistoryLength entries the {@link LossLog} held, so a resumed log can be cut back to match
 * @param flags the training flags by name, as given
 */
public record TrainerState(@JsonProperty("global_step") long globalStep, @JsonProperty("epoch") long epoch,
    @JsonProperty("data_position") long dataPosition, @JsonProperty("loss_history_length") int lossHistoryLength,
    @JsonProperty("flags") Map<String, String> flags) {

  public TrainerState {
    if (globalStep < 0 || epoch < 0 || dataPosition < 0 || lossHistoryLength < 0) {
      throw new IllegalArgumentException("trainer state counters must be >= 0");
    }
    flags = Collections.unmodifiableMap(new TreeMap<>(flags));
  }
}
