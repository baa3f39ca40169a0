package io.m3spark.train.loop;

import io.m3spark.train.data.EpochPlan;
import java.io.Serializable;

/**
 * How long a run trains and how often it reports and saves, with the Hugging Face Trainer's meaning.
 *
 * @param numTrainEpochs {@code num_train_epochs}; fractional values train part of the last epoch
 * @param maxSteps {@code max_steps}; when > 0 it overrides the epochs
 * @param gradientAccumulationSteps micro-batches per optimizer step
 * @param loggingSteps a progress line and a loss-log entry every this many steps (and at the last step)
 * @param saveSteps a checkpoint every this many steps; 0 = none
 */
public record LoopSettings(double numTrainEpochs, long maxSteps, int gradientAccumulationSteps, int loggingSteps,
    int saveSteps) implements Serializable {

  public LoopSettings {
    if (!(numTrainEpochs > 0) && maxSteps <= 0) {
      throw new IllegalArgumentException("need num_train_epochs > 0 or max_steps > 0");
    }
    if (gradientAccumulationSteps < 1) {
      throw new IllegalArgumentException("gradient_accumulation_steps must be >= 1, got " + gradientAccumulationSteps);
    }
    if (loggingSteps < 1) {
      throw new IllegalArgumentException("logging_steps must be >= 1, got " + loggingSteps);
    }
    if (saveSteps < 0) {
      throw new IllegalArgumentException("save_steps must be >= 0, got " + saveSteps);
    }
  }

  /**
   * Optimizer steps per epoch: the micro-batches of an epoch in groups of {@code gradient_accumulation_steps}, a last
   * smaller group included (as current Hugging Face Trainers step on it too).
   */
  public long stepsPerEpoch(EpochPlan plan) {
    int micro = plan.steps(0);
    if (micro == 0) {
      throw new IllegalArgumentException("the training data gives no full batch: fewer records than "
          + "per_device_train_batch_size x workers (with dataloader_drop_last), or every file below small_threshold");
    }
    return (micro + gradientAccumulationSteps - 1) / gradientAccumulationSteps;
  }

  /** Optimizer steps of the whole run: {@code max_steps}, else ⌈epochs × steps per epoch⌉. */
  public long totalSteps(EpochPlan plan) {
    return maxSteps > 0 ? maxSteps : (long) Math.ceil(numTrainEpochs * stepsPerEpoch(plan));
  }

  /** Epochs the data cursor must be able to walk to reach {@link #totalSteps}. */
  public int epochsToWalk(EpochPlan plan) {
    return Math.toIntExact((totalSteps(plan) + stepsPerEpoch(plan) - 1) / stepsPerEpoch(plan));
  }
}
