package io.m3spark.train.precision;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Where a {@link DynamicLossScaler} stands, for a checkpoint: restoring it continues the scale sequence exactly.
 *
 * @param scale the current loss scale
 * @param iteration updates so far (DeepSpeed's {@code cur_iter})
 * @param lastOverflowIteration the iteration of the last overflow, −1 if none ({@code last_overflow_iter})
 * @param hysteresisLeft overflows still tolerated before the scale drops ({@code cur_hysteresis})
 */
public record LossScalerState(@JsonProperty("scale") double scale, @JsonProperty("iteration") long iteration,
    @JsonProperty("last_overflow_iteration") long lastOverflowIteration,
    @JsonProperty("hysteresis_left") int hysteresisLeft) {

  public LossScalerState {
    if (!(scale > 0) || iteration < 0 || lastOverflowIteration < -1 || lastOverflowIteration >= iteration
        && lastOverflowIteration != -1 || hysteresisLeft < 1) {
      throw new IllegalArgumentException("inconsistent loss-scaler state " + scale + ", " + iteration + ", "
          + lastOverflowIteration + ", " + hysteresisLeft);
    }
  }
}
