package io.m3spark.train.precision;

import ai.djl.ndarray.NDArray;
import io.m3spark.model.Scalars;
import java.util.Collection;

/**
 * DeepSpeed's dynamic fp16 loss scaling over DJL tensors. Per optimizer step: multiply the loss by {@link #scale()}
 * ({@link #scaleLoss}), run backward, then {@link #unscale} the gradients; when it reports an overflow (an inf or NaN in
 * any gradient) the trainer skips the optimizer step and the scheduler step and drops the gradients. Either way the
 * scale is updated by {@link LossScaling#rule()}.
 *
 * <p>One deliberate difference: DeepSpeed's {@code FP16_Optimizer} updates the scale before unscaling, so on a step
 * where the scale doubles it divides that step's gradients by the new scale (halving them unless clipping rescales
 * them anyway). Here gradients are always divided by the scale the loss was multiplied with; the sequence of scales
 * and skipped steps is DeepSpeed's.
 */
public final class DynamicLossScaler {
  private final LossScaling settings;
  private double scale;
  private long iteration;
  private long lastOverflowIteration = -1;
  private int hysteresisLeft;

  public DynamicLossScaler(LossScaling settings) {
    this.settings = settings;
    this.scale = settings.initialScale();
    this.hysteresisLeft = settings.hysteresis();
  }

  /** The scale the next loss is multiplied by. */
  public double scale() {
    return scale;
  }

  /** {@code loss · scale}, differentiable, to call backward on. */
  public NDArray scaleLoss(NDArray loss) {
    return Scalars.times(loss, scale);
  }

  /**
   * Checks the gradients of one optimizer step for inf or NaN, divides them in place by the scale the loss was
   * multiplied with unless they overflowed, and updates the scale. Call with gradient recording off.
   *
   * @param gradients every gradient tensor of the step (all ranks must pass the same, already averaged, gradients)
   * @return true if the optimizer step may run; false on overflow, when the step must be skipped and the gradients
   *     (left as they were) discarded
   * @throws IllegalStateException under {@link LossScaling.Rule#ZERO_LOSS_SCALER} when an overflow happens at the
   *     minimum scale, as DeepSpeed raises
   */
  public boolean unscale(Collection<NDArray> gradients) {
    boolean overflow = gradients.stream().anyMatch(DynamicLossScaler::hasInfOrNan);
    if (!overflow) {
      float inverse = (float) (1.0 / scale);
      for (NDArray g : gradients) {
        g.muli(inverse);
      }
    }
    update(overflow);
    return !overflow;
  }

  /** A copy of the scaler's position, for a checkpoint. */
  public LossScalerState exportState() {
    return new LossScalerState(scale, iteration, lastOverflowIteration, hysteresisLeft);
  }

  /** Continues from {@code state} (settings stay as constructed). */
  public void importState(LossScalerState state) {
    scale = state.scale();
    iteration = state.iteration();
    lastOverflowIteration = state.lastOverflowIteration();
    hysteresisLeft = state.hysteresisLeft();
  }

  private void update(boolean overflow) {
    if (settings.rule() == LossScaling.Rule.FP16_OPTIMIZER) {
      updateLikeFp16Optimizer(overflow);
    } else {
      updateLikeZeroScaler(overflow);
    }
    iteration++;
  }

  private void updateLikeFp16Optimizer(boolean overflow) {
    if (overflow) {
      scale = Math.max(scale / 2, settings.minScale());
      lastOverflowIteration = iteration;
      return;
    }
    long stable = iteration - lastOverflowIteration - 1;
    if (stable > 0 && stable % settings.window() == 0) {
      scale *= 2;
    }
  }

  private void updateLikeZeroScaler(boolean overflow) {
    if (overflow) {
      if (settings.hysteresis() == 1 || hysteresisLeft == 1) {
        if (scale == settings.minScale()) {
          throw new IllegalStateException("fp16 overflow at the minimum loss scale " + scale
              + ": cannot decrease the scale any further");
        }
        scale = Math.max(scale / 2, settings.minScale());
      } else {
        hysteresisLeft--;
      }
      lastOverflowIteration = iteration;
      return;
    }
    if (settings.consecutiveHysteresis()) {
      hysteresisLeft = settings.hysteresis();
    }
    if ((iteration - lastOverflowIteration) % settings.window() == 0) {
      hysteresisLeft = settings.hysteresis();
      scale *= 2;
    }
  }

  private static boolean hasInfOrNan(NDArray g) {
    try (NDArray inf = g.isInfinite(); NDArray nan = g.isNaN(); NDArray bad = inf.logicalOr(nan);
        NDArray any = bad.any()) {
      return any.getBoolean();
    }
  }
}
