package io.m3spark.train.checkpoint;

import io.m3spark.train.AdamWState;
import io.m3spark.train.precision.LossScalerState;

/**
 * Everything in a checkpoint besides the model weights: what a resumed run needs to continue as if uninterrupted.
 *
 * @param lossScaler the fp16 loss scaler's position, or null for a run without mixed precision
 */
public record TrainingState(AdamWState optimizer, SchedulerState scheduler, RngState rng, TrainerState trainer,
    LossScalerState lossScaler) {

  /** A state without loss scaling. */
  public TrainingState(AdamWState optimizer, SchedulerState scheduler, RngState rng, TrainerState trainer) {
    this(optimizer, scheduler, rng, trainer, null);
  }
}
