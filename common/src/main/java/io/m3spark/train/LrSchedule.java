package io.m3spark.train;

import java.util.function.LongToDoubleFunction;

/**
 * Learning-rate schedules of the Hugging Face Trainer and of DeepSpeed (flagembedding-behaviour.md §4.2). The argument
 * is the number of optimizer steps already taken, so the first optimizer step uses {@code lr(0)}. With a Hugging Face
 * warm-up that step runs at learning rate 0, as in {@code transformers.get_*_schedule_with_warmup}.
 *
 * <p>DeepSpeed's schedulers count differently: the scheduler starts at iteration −1 (the optimizer then holds the
 * minimum learning rate) and the engine advances it by one after every applied optimizer step, never after a step
 * skipped for fp16 overflow. So {@code lr(0)} is the minimum and {@code lr(s)} for s ≥ 1 is DeepSpeed's value at
 * iteration s − 1 — which is the minimum again for s = 1. Steps skipped for overflow must not be counted in
 * {@code step}.
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

  /**
   * DeepSpeed's {@code WarmupLR}: from {@code minLr} up to {@code maxLr} over {@code warmupNumSteps} (at least 2)
   * iterations along {@code curve}, then constant {@code maxLr}.
   */
  static LrSchedule warmupLr(double minLr, double maxLr, long warmupNumSteps, DeepSpeedWarmup curve) {
    long w = DeepSpeedWarmup.effectiveSteps(warmupNumSteps);
    return fromWarmupFraction(minLr, maxLr, i -> i < w ? curve.fraction(i, w) : 1.0);
  }

  /**
   * DeepSpeed's {@code WarmupDecayLR}: the warm-up of {@link #warmupLr}, then linear decay towards {@code minLr}: at
   * iteration i ≥ W the fraction is max(0, (T − i) / max(1, T − W)). It reaches the minimum at iteration T, i.e. only
   * after the last of T optimizer steps.
   */
  static LrSchedule warmupDecayLr(double minLr, double maxLr, long warmupNumSteps, long totalNumSteps,
      DeepSpeedWarmup curve) {
    long w = DeepSpeedWarmup.effectiveSteps(warmupNumSteps);
    double decaySteps = Math.max(1.0, totalNumSteps - w);
    return fromWarmupFraction(minLr, maxLr,
        i -> i < w ? curve.fraction(i, w) : Math.max(0.0, (totalNumSteps - i) / decaySteps));
  }

  /**
   * DeepSpeed's {@code WarmupCosineLR}: {@code peak} (the optimizer's learning rate) times a ratio that warms up from
   * {@code warmupMinRatio} to 1 along {@code curve}, then follows half a cosine down to {@code cosMinRatio}: at
   * iteration i ≥ W the ratio is max(0, c + (1 − c)·(1 + cos(π·(i − W + 1) / (T − W))) / 2). Unlike the other two it
   * gives learning rate 0 before the first scheduler step, and past T the cosine rises again, as in DeepSpeed.
   */
  static LrSchedule warmupCosineLr(double peak, double warmupMinRatio, double cosMinRatio, long warmupNumSteps,
      long totalNumSteps, DeepSpeedWarmup curve) {
    long w = DeepSpeedWarmup.effectiveSteps(warmupNumSteps);
    if (totalNumSteps <= w) {
      throw new IllegalArgumentException("WarmupCosineLR needs total_num_steps (" + totalNumSteps
          + ") > warmup_num_steps (" + w + ", at least 2)");
    }
    return step -> {
      if (step == 0) {
        return 0.0;
      }
      long i = step - 1;
      if (i < w) {
        return peak * (warmupMinRatio + curve.fraction(i, w) * (1.0 - warmupMinRatio));
      }
      double cos = (1 + Math.cos(Math.PI * (i - w + 1) / (totalNumSteps - w))) / 2;
      return peak * Math.max(0.0, cosMinRatio + (1.0 - cosMinRatio) * cos);
    };
  }

  /** min + (max − min)·γ(i) at DeepSpeed iteration i = step − 1; the minimum before the first scheduler step. */
  private static LrSchedule fromWarmupFraction(double minLr, double maxLr, LongToDoubleFunction gamma) {
    double delta = maxLr - minLr;
    return step -> step == 0 ? minLr : minLr + delta * gamma.applyAsDouble(step - 1);
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
