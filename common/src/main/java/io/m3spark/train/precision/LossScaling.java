package io.m3spark.train.precision;

/**
 * Settings of DeepSpeed's dynamic fp16 loss scaling (the {@code fp16} block of a DeepSpeed config with
 * {@code loss_scale} 0). The scale starts at {@code initialScale}, is halved (never below {@code minScale}) after an
 * overflow and doubled after {@code window} steps without one; a step whose gradients overflow is skipped.
 *
 * @param initialScale 2^{@code initial_scale_power}
 * @param window {@code loss_scale_window}
 * @param hysteresis {@code hysteresis}: overflows tolerated before the scale drops ({@link Rule#ZERO_LOSS_SCALER} only)
 * @param consecutiveHysteresis {@code consecutive_hysteresis}: refill the hysteresis after every clean step instead of
 *     only when the scale grows ({@link Rule#ZERO_LOSS_SCALER} only)
 * @param minScale {@code min_loss_scale}
 * @param rule which of DeepSpeed's two implementations the numbers follow
 */
public record LossScaling(double initialScale, long window, int hysteresis, boolean consecutiveHysteresis,
    double minScale, Rule rule) {

  /** DeepSpeed has two dynamic loss scalers that read the same config keys but differ in their rules. */
  public enum Rule {
    /**
     * {@code FP16_Optimizer} / {@code FP16_UnfusedOptimizer} ({@code deepspeed/runtime/fp16/fused_optimizer.py},
     * {@code unfused_optimizer.py}), which ZeRO stage 0 uses: no hysteresis, the scale grows on the
     * ({@code window} + 1)-th clean step after the last overflow (or after the start), and at the minimum scale an
     * overflow just skips the step.
     */
    FP16_OPTIMIZER,
    /**
     * {@code DynamicLossScaler} ({@code deepspeed/runtime/fp16/loss_scaler.py}), which the ZeRO stage 1–3 optimizers
     * use: the scale drops only once {@code hysteresis} overflows have used up the hysteresis, grows on the
     * {@code window}-th clean step after the last overflow, and an overflow that would drop it below the minimum is an
     * error.
     */
    ZERO_LOSS_SCALER
  }

  public LossScaling {
    if (!(initialScale > 0 && Double.isFinite(initialScale) && minScale > 0 && minScale <= initialScale)) {
      throw new IllegalArgumentException("loss scaling needs 0 < min_loss_scale (" + minScale
          + ") <= initial scale (" + initialScale + ")");
    }
    if (window < 1 || hysteresis < 1) {
      throw new IllegalArgumentException("loss_scale_window (" + window + ") and hysteresis (" + hysteresis
          + ") must be >= 1");
    }
    if (rule == null) {
      throw new IllegalArgumentException("loss scaling rule missing");
    }
  }

  /** DeepSpeed's ZeRO-stage-0 scaling with its config keys' values. */
  public static LossScaling stageZero(int initialScalePower, long window, int hysteresis,
      boolean consecutiveHysteresis, double minScale) {
    return new LossScaling(Math.pow(2, initialScalePower), window, hysteresis, consecutiveHysteresis, minScale,
        Rule.FP16_OPTIMIZER);
  }
}
