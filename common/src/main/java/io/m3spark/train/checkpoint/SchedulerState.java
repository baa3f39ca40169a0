package io.m3spark.train.checkpoint;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.m3spark.train.DeepSpeedWarmup;
import io.m3spark.train.LrSchedule;

/**
 * What {@code scheduler.json} holds: enough to rebuild the learning-rate schedule and know where on it training
 * stopped. {@link LrSchedule} is a plain function, so its kind and parameters are recorded here rather than taken
 * from it.
 *
 * <p>The Hugging Face schedules use the first five fields only (files written before the DeepSpeed schedules existed
 * read back unchanged). DeepSpeed's add {@code warmup_type} and either {@code warmup_min_lr} ({@code WarmupLR},
 * {@code WarmupDecayLR}) or {@code warmup_min_ratio} and {@code cos_min_ratio} ({@code WarmupCosineLR}); a field a type
 * does not use must be absent.
 *
 * @param type Hugging Face's scheduler name ({@code linear}, {@code cosine}, {@code constant_with_warmup}) or
 *     DeepSpeed's ({@code WarmupLR}, {@code WarmupDecayLR}, {@code WarmupCosineLR})
 * @param baseLr the peak: Hugging Face's learning rate, DeepSpeed's {@code warmup_max_lr}, or for
 *     {@code WarmupCosineLR} the optimizer's learning rate
 * @param warmupSteps warm-up steps as configured (DeepSpeed then uses at least 2)
 * @param totalSteps optimizer steps of the whole run ({@code total_num_steps} for DeepSpeed; {@code WarmupLR} does not
 *     use it)
 * @param currentStep optimizer steps already taken, i.e. the argument of the next {@link LrSchedule#lr} call
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SchedulerState(@JsonProperty("type") String type, @JsonProperty("base_lr") double baseLr,
    @JsonProperty("warmup_steps") long warmupSteps, @JsonProperty("total_steps") long totalSteps,
    @JsonProperty("current_step") long currentStep, @JsonProperty("warmup_type") String warmupType,
    @JsonProperty("warmup_min_lr") Double warmupMinLr, @JsonProperty("warmup_min_ratio") Double warmupMinRatio,
    @JsonProperty("cos_min_ratio") Double cosMinRatio) {

  public SchedulerState {
    schedule(type, baseLr, warmupSteps, totalSteps, warmupType, warmupMinLr, warmupMinRatio, cosMinRatio);
    if (currentStep < 0) {
      throw new IllegalArgumentException("negative scheduler step " + currentStep);
    }
  }

  /** A Hugging Face schedule ({@code linear}, {@code cosine} or {@code constant_with_warmup}). */
  public SchedulerState(String type, double baseLr, long warmupSteps, long totalSteps, long currentStep) {
    this(type, baseLr, warmupSteps, totalSteps, currentStep, null, null, null, null);
  }

  /** DeepSpeed's {@code WarmupLR} ({@code decays} false) or {@code WarmupDecayLR} ({@code decays} true), at step 0. */
  public static SchedulerState deepSpeedWarmup(boolean decays, double minLr, double maxLr, long warmupNumSteps,
      long totalNumSteps, DeepSpeedWarmup curve) {
    return new SchedulerState(decays ? "WarmupDecayLR" : "WarmupLR", maxLr, warmupNumSteps, totalNumSteps, 0,
        curve.jsonName(), minLr, null, null);
  }

  /** DeepSpeed's {@code WarmupCosineLR} at step 0; {@code peak} is the optimizer's learning rate. */
  public static SchedulerState deepSpeedCosine(double peak, double warmupMinRatio, double cosMinRatio,
      long warmupNumSteps, long totalNumSteps, DeepSpeedWarmup curve) {
    return new SchedulerState("WarmupCosineLR", peak, warmupNumSteps, totalNumSteps, 0, curve.jsonName(), null,
        warmupMinRatio, cosMinRatio);
  }

  /** The same schedule after {@code step} optimizer steps. */
  public SchedulerState atStep(long step) {
    return new SchedulerState(type, baseLr, warmupSteps, totalSteps, step, warmupType, warmupMinLr, warmupMinRatio,
        cosMinRatio);
  }

  /** The schedule these values describe. */
  public LrSchedule schedule() {
    return schedule(type, baseLr, warmupSteps, totalSteps, warmupType, warmupMinLr, warmupMinRatio, cosMinRatio);
  }

  private static LrSchedule schedule(String type, double baseLr, long warmupSteps, long totalSteps, String warmupType,
      Double warmupMinLr, Double warmupMinRatio, Double cosMinRatio) {
    if (type == null) {
      throw new IllegalArgumentException("scheduler type missing");
    }
    boolean huggingFace = type.equals("linear") || type.equals("cosine") || type.equals("constant_with_warmup");
    boolean cosine = type.equals("WarmupCosineLR");
    expect(type, "warmup_type", warmupType, !huggingFace);
    expect(type, "warmup_min_lr", warmupMinLr, !huggingFace && !cosine);
    expect(type, "warmup_min_ratio", warmupMinRatio, cosine);
    expect(type, "cos_min_ratio", cosMinRatio, cosine);
    return switch (type) {
      case "linear" -> LrSchedule.linear(baseLr, warmupSteps, totalSteps);
      case "cosine" -> LrSchedule.cosine(baseLr, warmupSteps, totalSteps);
      case "constant_with_warmup" -> LrSchedule.constantWithWarmup(baseLr, warmupSteps);
      case "WarmupLR" -> LrSchedule.warmupLr(warmupMinLr, baseLr, warmupSteps, DeepSpeedWarmup.of(warmupType));
      case "WarmupDecayLR" -> LrSchedule.warmupDecayLr(warmupMinLr, baseLr, warmupSteps, totalSteps,
          DeepSpeedWarmup.of(warmupType));
      case "WarmupCosineLR" -> LrSchedule.warmupCosineLr(baseLr, warmupMinRatio, cosMinRatio, warmupSteps, totalSteps,
          DeepSpeedWarmup.of(warmupType));
      default -> throw new IllegalArgumentException("unknown scheduler type '" + type
          + "': expected linear, cosine, constant_with_warmup, WarmupLR, WarmupDecayLR or WarmupCosineLR");
    };
  }

  private static void expect(String type, String field, Object value, boolean used) {
    if (used && value == null) {
      throw new IllegalArgumentException("scheduler " + type + " needs " + field);
    }
    if (!used && value != null) {
      throw new IllegalArgumentException("scheduler " + type + " does not use " + field);
    }
  }
}
