package io.m3spark.train.checkpoint;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.m3spark.train.LrSchedule;

/**
 * What {@code scheduler.json} holds: enough to rebuild the learning-rate schedule and know where on it training
 * stopped. {@link LrSchedule} is a plain function, so its kind and parameters are recorded here rather than taken
 * from it.
 *
 * @param type Hugging Face's scheduler name: {@code linear}, {@code cosine} or {@code constant_with_warmup}
 * @param currentStep optimizer steps already taken, i.e. the argument of the next {@link LrSchedule#lr} call
 */
public record SchedulerState(@JsonProperty("type") String type, @JsonProperty("base_lr") double baseLr,
    @JsonProperty("warmup_steps") long warmupSteps, @JsonProperty("total_steps") long totalSteps,
    @JsonProperty("current_step") long currentStep) {

  public SchedulerState {
    schedule(type, baseLr, warmupSteps, totalSteps);
    if (currentStep < 0) {
      throw new IllegalArgumentException("negative scheduler step " + currentStep);
    }
  }

  /** The schedule these values describe. */
  public LrSchedule schedule() {
    return schedule(type, baseLr, warmupSteps, totalSteps);
  }

  private static LrSchedule schedule(String type, double baseLr, long warmupSteps, long totalSteps) {
    if (type == null) {
      throw new IllegalArgumentException("scheduler type missing");
    }
    return switch (type) {
      case "linear" -> LrSchedule.linear(baseLr, warmupSteps, totalSteps);
      case "cosine" -> LrSchedule.cosine(baseLr, warmupSteps, totalSteps);
      case "constant_with_warmup" -> LrSchedule.constantWithWarmup(baseLr, warmupSteps);
      default -> throw new IllegalArgumentException(
          "unknown scheduler type '" + type + "': expected linear, cosine or constant_with_warmup");
    };
  }
}
