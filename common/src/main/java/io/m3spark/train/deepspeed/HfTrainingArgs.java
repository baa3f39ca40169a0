package io.m3spark.train.deepspeed;

/**
 * The Hugging Face {@code TrainingArguments} values that decide the optimizer, schedule, clipping, precision and batch
 * shape, as the trainer has them before any DeepSpeed config is applied.
 *
 * @param lrSchedulerType {@code lr_scheduler_type}: linear, cosine or constant_with_warmup
 * @param warmupSteps warm-up optimizer steps, already computed ({@link #warmupSteps(long, double, long)})
 * @param totalSteps optimizer steps of the whole run
 * @param worldSize data-parallel processes
 */
public record HfTrainingArgs(double learningRate, double adamBeta1, double adamBeta2, double adamEpsilon,
    double weightDecay, double maxGradNorm, boolean fp16, String lrSchedulerType, long warmupSteps, long totalSteps,
    int perDeviceTrainBatchSize, int gradientAccumulationSteps, int worldSize) {

  public HfTrainingArgs {
    if (!(learningRate >= 0 && adamEpsilon >= 0 && weightDecay >= 0 && maxGradNorm >= 0)) {
      throw new IllegalArgumentException("learning_rate, adam_epsilon, weight_decay and max_grad_norm must be >= 0");
    }
    if (warmupSteps < 0 || totalSteps < 1) {
      throw new IllegalArgumentException("need warmup steps >= 0 (" + warmupSteps + ") and total steps >= 1 ("
          + totalSteps + ")");
    }
    if (perDeviceTrainBatchSize < 1 || gradientAccumulationSteps < 1 || worldSize < 1) {
      throw new IllegalArgumentException("per_device_train_batch_size, gradient_accumulation_steps and the world size"
          + " must be >= 1");
    }
    if (lrSchedulerType == null) {
      throw new IllegalArgumentException("lr_scheduler_type missing");
    }
  }

  /**
   * {@code TrainingArguments.get_warmup_steps}: {@code warmup_steps} if it is positive, else
   * ceil(totalSteps · {@code warmup_ratio}).
   */
  public static long warmupSteps(long warmupSteps, double warmupRatio, long totalSteps) {
    if (warmupSteps < 0 || !(warmupRatio >= 0 && warmupRatio <= 1)) {
      throw new IllegalArgumentException("need warmup_steps >= 0 and warmup_ratio in [0, 1]");
    }
    return warmupSteps > 0 ? warmupSteps : (long) Math.ceil(totalSteps * warmupRatio);
  }
}
