package io.m3spark.train;

/**
 * Learning-rate schedules of the Hugging Face Trainer (flagembedding-behaviour.md §4.2, run without DeepSpeed). The
 * argument is the number of optimizer steps already taken, so the first optimizer step uses {@code lr(0)}; with a
 * warm-up that step runs at learning rate 0, as in {@code transformers.get_*_schedule_with_warmup}.
 */
@FunctionalInterface
public interface LrSchedule {
  double lr(long step);

  /** Linear warm-up from 0 to {@code peak}, then linear decay to 0 at {@code totalSteps}. */
  static LrSchedule linear(double peak, long warmupSteps, long totalSteps) {
    check(warmupSteps, totalSteps);
    return step -> step < warmupSteps ? peak * warmup(step, warmupSteps)
        : peak * Math.max(0.0, (double) (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
  }

  /** Linear warm-up, then half a cosine period from {@code peak} down to 0 at {@code totalSteps}. */
  static LrSchedule cosine(double peak, long warmupSteps, long totalSteps) {
    check(warmupSteps, totalSteps);
    return step -> {
      if (step < warmupSteps) {
        return peak * warmup(step, warmupSteps);
      }
      double progress = (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
      return peak * Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * progress)));
    };
  }

  /** Linear warm-up, then constant {@code peak}. */
  static LrSchedule constantWithWarmup(double peak, long warmupSteps) {
    check(warmupSteps, Long.MAX_VALUE);
    return step -> step < warmupSteps ? peak * warmup(step, warmupSteps) : peak;
  }

  private static double warmup(long step, long warmupSteps) {
    return (double) step / Math.max(1, warmupSteps);
  }

  private static void check(long warmupSteps, long totalSteps) {
    if (warmupSteps < 0 || totalSteps < 0 || warmupSteps > totalSteps) {
      throw new IllegalArgumentException("need 0 <= warmup (" + warmupSteps + ") <= total steps (" + totalSteps + ")");
    }
  }
}
