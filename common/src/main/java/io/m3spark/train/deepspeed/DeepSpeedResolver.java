package io.m3spark.train.deepspeed;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.m3spark.train.DeepSpeedWarmup;
import io.m3spark.train.checkpoint.SchedulerState;
import io.m3spark.train.precision.LossScaling;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads a DeepSpeed config, after the Hugging Face {@code "auto"} filling, the way DeepSpeed does
 * ({@code deepspeed/runtime/config.py}, {@code engine.py}, {@code lr_schedules.py}): its defaults for missing keys,
 * the optimizer it would build, the batch sizes it would derive. Keys that do not change the numbers are accepted;
 * any other key m3spark cannot honour is refused by path.
 */
final class DeepSpeedResolver {
  private static final Set<String> TOP_LEVEL = Set.of("zero_optimization", "fp16", "bf16", "optimizer", "scheduler",
      "gradient_clipping", "train_batch_size", "train_micro_batch_size_per_gpu", "gradient_accumulation_steps",
      // logging and bookkeeping only
      "steps_per_print", "wall_clock_breakdown", "memory_breakdown", "zero_allow_untested_optimizer");
  private static final Set<String> FP16_KEYS = Set.of("enabled", "loss_scale", "initial_scale_power",
      "loss_scale_window", "hysteresis", "consecutive_hysteresis", "min_loss_scale");
  private static final Set<String> WARMUP_KEYS =
      Set.of("warmup_min_lr", "warmup_max_lr", "warmup_num_steps", "warmup_type");
  private static final Set<String> DECAY_KEYS =
      Set.of("warmup_min_lr", "warmup_max_lr", "warmup_num_steps", "warmup_type", "total_num_steps");
  private static final Set<String> COSINE_KEYS =
      Set.of("total_num_steps", "warmup_min_ratio", "warmup_num_steps", "cos_min_ratio", "warmup_type");

  private DeepSpeedResolver() {}

  static TrainingSetup resolve(HfTrainingArgs args, DeepSpeedConfig config) {
    ObjectNode tree = config.tree();
    HfAutoFill.fill(tree, args);
    ConfigSection root = ConfigSection.root(tree);
    root.allowOnly(TOP_LEVEL, "m3spark honours ZeRO stage 0, fp16, an AdamW optimizer, the Warmup* schedulers,"
        + " gradient_clipping and the batch sizes");
    checkZeroStage(root);
    checkBf16(root);
    checkBatchSizes(root, args);
    OptimizerSettings optimizer = optimizer(root, args);
    SchedulerState schedule = schedule(root, args, optimizer.lr());
    double clip = root.number("gradient_clipping", 0.0);
    if (clip < 0) {
      throw DeepSpeedConfigException.at("gradient_clipping", "must be >= 0, got " + clip);
    }
    return new TrainingSetup(optimizer, schedule, clip, lossScaling(root, args));
  }

  private static void checkZeroStage(ConfigSection root) {
    root.section("zero_optimization").ifPresent(zero -> {
      zero.allowOnly(Set.of("stage"), "only ZeRO stage 0 is implemented, which takes no other settings");
      long stage = zero.integer("stage", 0);
      if (stage != 0) {
        throw DeepSpeedConfigException.at(zero.path("stage"), "ZeRO stage " + stage + " is not implemented (only 0)");
      }
    });
  }

  private static void checkBf16(ConfigSection root) {
    root.section("bf16").ifPresent(bf16 -> {
      bf16.allowOnly(Set.of("enabled"), "bf16 is never enabled here");
      if (bf16.flag("enabled", false)) {
        throw DeepSpeedConfigException.at(bf16.path("enabled"),
            "bf16 is not supported (any bf16 tensor aborts the JVM with DJL's libtorch); use fp16");
      }
    });
  }

  /**
   * DeepSpeed derives missing batch sizes from the others ({@code _set_batch_related_parameters}) and requires
   * train_batch_size = micro batch · accumulation · world size; the data loader uses the Hugging Face values, so the
   * result must equal them.
   */
  private static void checkBatchSizes(ConfigSection root, HfTrainingArgs args) {
    Long total = root.integer("train_batch_size").orElse(null);
    Long micro = root.integer("train_micro_batch_size_per_gpu").orElse(null);
    Long accumulation = root.integer("gradient_accumulation_steps").orElse(null);
    long world = args.worldSize();
    if (total == null && micro == null) {
      throw DeepSpeedConfigException.at("train_batch_size",
          "either train_batch_size or train_micro_batch_size_per_gpu must be given (\"auto\" is fine)");
    }
    if (total != null && micro != null && accumulation == null) {
      accumulation = total / micro / world;
    } else if (total != null && micro == null) {
      accumulation = accumulation == null ? 1 : accumulation;
      micro = total / world / accumulation;
    } else if (total == null) {
      accumulation = accumulation == null ? 1 : accumulation;
      total = micro * accumulation * world;
    }
    if (micro < 1 || accumulation < 1 || total != micro * accumulation * world) {
      throw DeepSpeedConfigException.at("train_batch_size", "train_batch_size " + total + " != micro batch " + micro
          + " * gradient accumulation " + accumulation + " * world size " + world);
    }
    if (micro != args.perDeviceTrainBatchSize() || accumulation != args.gradientAccumulationSteps()) {
      throw DeepSpeedConfigException.at("train_batch_size", "DeepSpeed's batch shape (micro batch " + micro
          + ", gradient accumulation " + accumulation + ") differs from per_device_train_batch_size "
          + args.perDeviceTrainBatchSize() + " and gradient_accumulation_steps " + args.gradientAccumulationSteps());
    }
  }

  /**
   * DeepSpeed's Adam family: {@code AdamW}, or {@code Adam} which is AdamW unless {@code adam_w_mode} is false
   * (FusedAdam's defaults for missing keys; {@code torch_adam} selects torch's AdamW, whose weight decay defaults to
   * 0.01). Without an optimizer section the Trainer's own AdamW is used.
   */
  private static OptimizerSettings optimizer(ConfigSection root, HfTrainingArgs args) {
    if (root.section("optimizer").isEmpty()) {
      return OptimizerSettings.huggingFace(args);
    }
    ConfigSection section = root.sectionOrEmpty("optimizer");
    section.allowOnly(Set.of("type", "params"), "an optimizer has a type and params");
    String type = section.requiredText("type").toLowerCase(Locale.ROOT);
    if (!type.equals("adamw") && !type.equals("adam")) {
      throw DeepSpeedConfigException.at(section.path("type"), "'" + section.requiredText("type")
          + "' is not supported (AdamW, or Adam in adam_w_mode)");
    }
    ConfigSection params = section.sectionOrEmpty("params");
    params.allowOnly(Set.of("lr", "betas", "eps", "weight_decay", "adam_w_mode", "torch_adam"),
        "AdamW takes lr, betas, eps, weight_decay (and adam_w_mode, torch_adam)");
    boolean torchAdam = params.flag("torch_adam", false);
    if (!type.equals("adamw") && !params.flag("adam_w_mode", true)) {
      throw DeepSpeedConfigException.at(params.path("adam_w_mode"),
          "Adam with L2 weight decay (adam_w_mode false) is not implemented; only decoupled AdamW");
    }
    double[] betas = params.pair("betas", 0.9, 0.999);
    return new OptimizerSettings(params.number("lr", 1e-3), betas[0], betas[1], params.number("eps", 1e-8),
        params.number("weight_decay", torchAdam ? 0.01 : 0.0), true);
  }

  /** DeepSpeed's scheduler with its constructor defaults, or the Trainer's when the config has none. */
  private static SchedulerState schedule(ConfigSection root, HfTrainingArgs args, double optimizerLr) {
    if (root.section("scheduler").isEmpty()) {
      return TrainingSetup.huggingFaceSchedule(args, optimizerLr);
    }
    ConfigSection section = root.sectionOrEmpty("scheduler");
    section.allowOnly(Set.of("type", "params"), "a scheduler has a type and params");
    String type = section.requiredText("type");
    ConfigSection p = section.sectionOrEmpty("params");
    try {
      return deepSpeedSchedule(type, p, args, optimizerLr);
    } catch (DeepSpeedConfigException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw DeepSpeedConfigException.at(p.path(""), e.getMessage());
    }
  }

  private static SchedulerState deepSpeedSchedule(String type, ConfigSection p, HfTrainingArgs args,
      double optimizerLr) {
    switch (type) {
      case "WarmupLR", "WarmupDecayLR" -> {
        boolean decays = type.equals("WarmupDecayLR");
        Set<String> keys = decays ? DECAY_KEYS : WARMUP_KEYS;
        p.allowOnly(keys, type + " takes " + listed(keys));
        long total = decays ? p.requiredInteger("total_num_steps") : args.totalSteps();
        return SchedulerState.deepSpeedWarmup(decays, p.number("warmup_min_lr", 0.0),
            p.number("warmup_max_lr", 0.001), p.integer("warmup_num_steps", 1000), total, warmupType(p));
      }
      case "WarmupCosineLR" -> {
        p.allowOnly(COSINE_KEYS, type + " takes " + listed(COSINE_KEYS));
        return SchedulerState.deepSpeedCosine(optimizerLr, p.number("warmup_min_ratio", 0.0),
            p.number("cos_min_ratio", 0.0001), p.integer("warmup_num_steps", 1000),
            p.requiredInteger("total_num_steps"), warmupType(p));
      }
      default -> throw DeepSpeedConfigException.at("scheduler.type",
          "'" + type + "' is not supported (WarmupLR, WarmupDecayLR or WarmupCosineLR)");
    }
  }

  private static String listed(Set<String> keys) {
    return String.join(", ", new TreeSet<>(keys));
  }

  private static DeepSpeedWarmup warmupType(ConfigSection params) {
    String name = params.text("warmup_type", DeepSpeedWarmup.LOG.jsonName());
    try {
      return DeepSpeedWarmup.of(name);
    } catch (IllegalArgumentException e) {
      throw DeepSpeedConfigException.at(params.path("warmup_type"), e.getMessage());
    }
  }

  /**
   * The fp16 block as ZeRO stage 0 uses it: dynamic scaling ({@code loss_scale} 0) with DeepSpeed's defaults
   * (2^16, window 1000, hysteresis 2, min 1). {@code --fp16} with no {@code fp16.enabled} in the config is refused:
   * DeepSpeed would then train in fp32, or accelerate would add an autocast mode m3spark does not have.
   */
  private static LossScaling lossScaling(ConfigSection root, HfTrainingArgs args) {
    ConfigSection fp16 = root.sectionOrEmpty("fp16");
    fp16.allowOnly(FP16_KEYS, "fp16 takes " + listed(FP16_KEYS));
    if (args.fp16() && !fp16.has("enabled")) {
      throw DeepSpeedConfigException.at(fp16.path("enabled"), "--fp16 is set but the config does not enable fp16;"
          + " set \"enabled\": \"auto\"");
    }
    if (!fp16.flag("enabled", false)) {
      return null;
    }
    double staticScale = fp16.number("loss_scale", 0);
    if (staticScale != 0) {
      throw DeepSpeedConfigException.at(fp16.path("loss_scale"),
          "only dynamic loss scaling (0) is implemented, got " + staticScale);
    }
    long power = fp16.integer("initial_scale_power", 16);
    if (power < 0 || power > 64) {
      throw DeepSpeedConfigException.at(fp16.path("initial_scale_power"), "must be in [0, 64], got " + power);
    }
    try {
      return LossScaling.stageZero((int) power, fp16.integer("loss_scale_window", 1000),
          (int) fp16.integer("hysteresis", 2), fp16.flag("consecutive_hysteresis", false),
          fp16.number("min_loss_scale", 1));
    } catch (IllegalArgumentException e) {
      throw DeepSpeedConfigException.at("fp16", e.getMessage());
    }
  }
}
