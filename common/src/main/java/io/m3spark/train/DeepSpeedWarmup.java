package io.m3spark.train;

/**
 * The warm-up curves of DeepSpeed's {@code WarmupLR}, {@code WarmupDecayLR} and {@code WarmupCosineLR}
 * ({@code deepspeed/runtime/lr_schedules.py}, key {@code warmup_type}; DeepSpeed's default is {@link #LOG}). Each maps
 * DeepSpeed's scheduler iteration i (0 ≤ i &lt; W) to the fraction of the way from the minimum to the peak.
 */
public enum DeepSpeedWarmup {
  /** log(i + 1) / log(W): 0 at i = 0, already 1 at i = W − 1. */
  LOG("log"),
  /** i / W: 0 at i = 0, (W − 1) / W at i = W − 1. */
  LINEAR("linear");

  private final String jsonName;

  DeepSpeedWarmup(String jsonName) {
    this.jsonName = jsonName;
  }

  /** The name DeepSpeed's config (and {@code scheduler.json}) uses. */
  public String jsonName() {
    return jsonName;
  }

  /** The curve called {@code name} in a DeepSpeed config. */
  public static DeepSpeedWarmup of(String name) {
    for (DeepSpeedWarmup w : values()) {
      if (w.jsonName.equals(name)) {
        return w;
      }
    }
    throw new IllegalArgumentException("unknown warmup_type '" + name + "': expected log or linear");
  }

  /**
   * DeepSpeed's warm-up steps as it uses them: at least 2, because the log curve divides by log(W).
   */
  public static long effectiveSteps(long warmupNumSteps) {
    return Math.max(2, warmupNumSteps);
  }

  /** Fraction of the warm-up done at DeepSpeed iteration {@code i}, for 0 ≤ i &lt; {@code steps} (effective). */
  double fraction(long i, long steps) {
    return this == LOG ? (1.0 / Math.log(steps)) * Math.log(i + 1) : (double) i / steps;
  }
}
