package io.m3spark.train.deepspeed;

import io.m3spark.train.checkpoint.SchedulerState;
import io.m3spark.train.precision.LossScaling;

/**
 * Everything the training loop needs to know about optimisation, resolved in one place: from the Hugging Face
 * arguments alone ({@link #huggingFace}) or with a DeepSpeed config ({@link #deepSpeed}).
 *
 * @param optimizer AdamW's hyper-parameters
 * @param schedule the learning-rate schedule at step 0
 * @param maxGradNorm total-norm clipping threshold; 0 means no clipping
 * @param lossScaling fp16 dynamic loss scaling, or null for fp32 training
 */
public record TrainingSetup(OptimizerSettings optimizer, SchedulerState schedule, double maxGradNorm,
    LossScaling lossScaling) {

  public TrainingSetup {
    if (optimizer == null || schedule == null || !(maxGradNorm >= 0)) {
      throw new IllegalArgumentException("training setup needs an optimizer, a schedule and max_grad_norm >= 0");
    }
  }

  /** Whether gradients are clipped. */
  public boolean clips() {
    return maxGradNorm > 0;
  }

  /**
   * The Hugging Face Trainer without DeepSpeed: torch AdamW from the arguments, {@code lr_scheduler_type} with the
   * computed warm-up, {@code max_grad_norm}. Its fp16 (torch autocast with a {@code GradScaler}) is not implemented,
   * so {@code --fp16} needs a DeepSpeed config.
   */
  public static TrainingSetup huggingFace(HfTrainingArgs args) {
    if (args.fp16()) {
      throw new IllegalArgumentException("--fp16 without --deepspeed (torch autocast with GradScaler) is not"
          + " supported: use --deepspeed conf/deepspeed/ds_stage0.json for fp16");
    }
    return new TrainingSetup(OptimizerSettings.huggingFace(args), huggingFaceSchedule(args, args.learningRate()),
        args.maxGradNorm(), null);
  }

  /**
   * The Hugging Face Trainer with {@code --deepspeed}: {@code "auto"} values take the arguments' values, explicit ones
   * must agree with them, and the sections then mean what DeepSpeed makes of them (ZeRO stage 0 only).
   *
   * @throws DeepSpeedConfigException naming the key of anything m3spark cannot honour, or listing the mismatches
   */
  public static TrainingSetup deepSpeed(HfTrainingArgs args, DeepSpeedConfig config) {
    return DeepSpeedResolver.resolve(args, config);
  }

  /** The Trainer's own schedule, which also applies under DeepSpeed when the config has no scheduler. */
  static SchedulerState huggingFaceSchedule(HfTrainingArgs args, double peak) {
    return new SchedulerState(args.lrSchedulerType(), peak, args.warmupSteps(), args.totalSteps(), 0);
  }
}
