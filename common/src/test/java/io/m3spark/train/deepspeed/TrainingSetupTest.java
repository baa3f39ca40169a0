package io.m3spark.train.deepspeed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m3spark.train.checkpoint.SchedulerState;
import io.m3spark.train.precision.LossScaling;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Resolution of the Hugging Face arguments with and without a DeepSpeed config, against the values transformers'
 * {@code HfTrainerDeepSpeedConfig} and DeepSpeed would use (worked out by hand from their sources).
 */
class TrainingSetupTest {
  private static final Path SHIPPED = Path.of("..", "conf", "deepspeed", "ds_stage0.json");

  /**
   * FlagEmbedding's m3 example: lr 1e-5, warmup_ratio 0.1, --fp16, per-device batch 2, HF defaults otherwise
   * (betas 0.9/0.999, eps 1e-8, weight decay 0, max_grad_norm 1, linear); 2 ranks, 1000 optimizer steps.
   */
  private static HfTrainingArgs flagEmbeddingExample(boolean fp16) {
    long total = 1000;
    return new HfTrainingArgs(1e-5, 0.9, 0.999, 1e-8, 0.0, 1.0, fp16, "linear",
        HfTrainingArgs.warmupSteps(0, 0.1, total), total, 2, 1, 2);
  }

  private static TrainingSetup resolve(HfTrainingArgs args, String json) {
    return TrainingSetup.deepSpeed(args, DeepSpeedConfig.parse(json));
  }

  private static String refusal(HfTrainingArgs args, String json) {
    return assertThrows(DeepSpeedConfigException.class, () -> resolve(args, json)).getMessage();
  }

  /** A minimal valid config with {@code extra} added at the top level. */
  private static String config(String extra) {
    return "{\"train_micro_batch_size_per_gpu\": \"auto\"" + (extra.isEmpty() ? "" : ", " + extra) + "}";
  }

  @Test
  void shippedStageZeroFileWithFlagEmbeddingArguments() throws Exception {
    HfTrainingArgs args = flagEmbeddingExample(true);
    assertEquals(100, args.warmupSteps(), "ceil(1000 · 0.1)");
    TrainingSetup setup = TrainingSetup.deepSpeed(args, DeepSpeedConfig.read(SHIPPED));
    assertEquals(new OptimizerSettings(1e-5, 0.9, 0.999, 1e-8, 0.0, true), setup.optimizer());
    assertEquals(SchedulerState.deepSpeedWarmup(true, 0.0, 1e-5, 100, 1000, io.m3spark.train.DeepSpeedWarmup.LOG),
        setup.schedule());
    assertEquals(1.0, setup.maxGradNorm());
    assertEquals(new LossScaling(4096, 1000, 2, false, 1, LossScaling.Rule.FP16_OPTIMIZER), setup.lossScaling());
    var lr = setup.schedule().schedule();
    assertEquals(0.0, lr.lr(0), 0.0);
    assertEquals(0.0, lr.lr(1), 0.0, "DeepSpeed's iteration 0 is still the minimum");
    assertEquals(1.505149978319906e-06, lr.lr(2), 1e-18, "1e-5 · log 2 / log 100");
    assertEquals(1e-5, lr.lr(100), 1e-18, "peak at iteration W − 1 with the log curve");
    assertEquals(1e-5 / 900, lr.lr(1000), 1e-18, "last step: (1000 − 999) / 900 of the peak");
  }

  @Test
  void shippedFileWithoutFp16TrainsInFp32() throws Exception {
    TrainingSetup setup = TrainingSetup.deepSpeed(flagEmbeddingExample(false), DeepSpeedConfig.read(SHIPPED));
    assertNull(setup.lossScaling());
  }

  @Test
  void explicitValuesThatAgreeAreAcceptedAndBatchSizesDerived() {
    HfTrainingArgs args = new HfTrainingArgs(2e-5, 0.9, 0.98, 1e-6, 0.01, 0.5, false, "cosine", 5, 50, 4, 2, 3);
    TrainingSetup setup = resolve(args, "{\"train_batch_size\": 24, \"gradient_accumulation_steps\": 2,"
        + " \"gradient_clipping\": 0.5, \"optimizer\": {\"type\": \"Adam\", \"params\": {\"lr\": 2e-5,"
        + " \"betas\": [0.9, 0.98], \"eps\": 1e-6, \"weight_decay\": 0.01}}}");
    assertEquals(new OptimizerSettings(2e-5, 0.9, 0.98, 1e-6, 0.01, true), setup.optimizer(),
        "Adam is AdamW unless adam_w_mode is false");
    assertEquals(new SchedulerState("cosine", 2e-5, 5, 50, 0), setup.schedule(),
        "no scheduler section: the Trainer's own");
    assertEquals(0.5, setup.maxGradNorm());
  }

  @Test
  void withoutOptimizerSectionTheTrainersAdamWKeepsItsDecayGroups() {
    TrainingSetup setup = resolve(flagEmbeddingExample(false), config(""));
    assertEquals(new OptimizerSettings(1e-5, 0.9, 0.999, 1e-8, 0.0, false), setup.optimizer());
    assertEquals(0.0, setup.maxGradNorm(), "no gradient_clipping key: DeepSpeed does not clip");
  }

  @Test
  void deepSpeedDefaultsFillMissingSchedulerKeys() {
    TrainingSetup setup = resolve(flagEmbeddingExample(false),
        config("\"scheduler\": {\"type\": \"WarmupLR\", \"params\": {\"warmup_type\": \"linear\"}}"));
    assertEquals(SchedulerState.deepSpeedWarmup(false, 0.0, 0.001, 1000, 1000,
        io.m3spark.train.DeepSpeedWarmup.LINEAR), setup.schedule());
    setup = resolve(flagEmbeddingExample(false), config("\"optimizer\": {\"type\": \"AdamW\"},"
        + " \"scheduler\": {\"type\": \"WarmupCosineLR\", \"params\": {\"total_num_steps\": \"auto\","
        + " \"warmup_num_steps\": \"auto\"}}"));
    assertEquals(SchedulerState.deepSpeedCosine(0.001, 0.0, 0.0001, 100, 1000,
        io.m3spark.train.DeepSpeedWarmup.LOG), setup.schedule(), "cosine peaks at the optimizer's lr");
  }

  @Test
  void impossibleScheduleIsRefusedByKey() {
    String message = refusal(flagEmbeddingExample(false), config("\"scheduler\": {\"type\": \"WarmupCosineLR\","
        + " \"params\": {\"total_num_steps\": \"auto\"}}"));
    assertTrue(message.contains("'scheduler.params'") && message.contains("total_num_steps (1000)"), message);
  }

  @Test
  void mismatchesAreListedTogether() {
    String message = refusal(flagEmbeddingExample(true), config("\"gradient_clipping\": 2.0, \"optimizer\":"
        + " {\"type\": \"AdamW\", \"params\": {\"lr\": 3e-5, \"betas\": [0.9, 0.99]}}, \"fp16\": {\"enabled\": false}"));
    assertTrue(message.contains("- ds gradient_clipping=2.0 vs hf max_grad_norm=1.0"), message);
    assertTrue(message.contains("- ds optimizer.params.lr=3.0E-5 vs hf learning_rate=1.0E-5"), message);
    assertTrue(message.contains("optimizer.params.betas=[0.9,0.99]"), message);
    assertTrue(message.contains("- ds fp16.enabled=false vs hf fp16=true"), message);
  }

  @Test
  void refusedKeysAreNamedByPath() {
    HfTrainingArgs args = flagEmbeddingExample(false);
    assertTrue(refusal(args, config("\"zero_optimization\": {\"stage\": 2}")).contains("zero_optimization.stage"));
    assertTrue(refusal(args, config("\"zero_optimization\": {\"stage\": 0, \"offload_optimizer\": {}}"))
        .contains("zero_optimization.offload_optimizer"));
    assertTrue(refusal(args, config("\"bf16\": {\"enabled\": \"auto\", \"auto_cast\": true}"))
        .contains("bf16.auto_cast"));
    assertTrue(refusal(args, config("\"amp\": {\"enabled\": false}, \"flops_profiler\": {}"))
        .contains("amp, flops_profiler"));
    assertTrue(refusal(args, config("\"optimizer\": {\"type\": \"Lamb\"}")).contains("optimizer.type"));
    assertTrue(refusal(args, config("\"optimizer\": {\"type\": \"Adam\", \"params\": {\"adam_w_mode\": false}}"))
        .contains("optimizer.params.adam_w_mode"));
    assertTrue(refusal(args, config("\"scheduler\": {\"type\": \"OneCycle\"}")).contains("scheduler.type"));
    assertTrue(refusal(args, config("\"scheduler\": {\"type\": \"WarmupLR\", \"params\": {\"total_num_steps\": 5}}"))
        .contains("scheduler.params.total_num_steps"), "WarmupLR takes no total_num_steps");
    assertTrue(refusal(args, config("\"scheduler\": {\"type\": \"WarmupDecayLR\", \"params\": {\"warmup_type\":"
        + " \"auto\", \"total_num_steps\": \"auto\"}}")).contains("scheduler.params.warmup_type"));
    HfTrainingArgs fp16 = flagEmbeddingExample(true);
    assertTrue(refusal(fp16, config("\"fp16\": {\"enabled\": true, \"loss_scale\": 128}")).contains("fp16.loss_scale"));
    assertTrue(refusal(fp16, config("\"fp16\": {\"enabled\": true, \"auto_cast\": true}")).contains("fp16.auto_cast"));
    assertTrue(refusal(fp16, config("")).contains("fp16.enabled"), "--fp16 needs the config to enable fp16");
  }

  @Test
  void bf16IsRefused() {
    String message = refusal(flagEmbeddingExample(false), config("\"bf16\": {\"enabled\": true}"));
    assertTrue(message.contains("bf16.enabled"), message);
  }

  @Test
  void batchShapeMustBeTheTrainersAfterDeepSpeedsDerivation() {
    // per-device 2, accumulation 1, world 2
    HfTrainingArgs args = flagEmbeddingExample(false);
    resolve(args, "{\"train_batch_size\": 4}");
    assertTrue(refusal(args, "{\"train_batch_size\": 8}").contains("train_batch_size"), "explicit mismatch");
    HfTrainingArgs accumulating = new HfTrainingArgs(1e-5, 0.9, 0.999, 1e-8, 0, 1, false, "linear", 0, 10, 2, 2, 2);
    assertTrue(refusal(accumulating, "{\"train_micro_batch_size_per_gpu\": 2}").contains("gradient accumulation 1"),
        "DeepSpeed derives accumulation 1 when only the micro batch is given");
    assertTrue(refusal(args, "{\"gradient_accumulation_steps\": \"auto\"}").contains("train_batch_size"));
  }

  @Test
  void withoutDeepSpeedTheTrainersDefaults() {
    HfTrainingArgs args = new HfTrainingArgs(1e-5, 0.9, 0.999, 1e-8, 0.01, 1.0, false, "constant_with_warmup", 10,
        100, 2, 1, 1);
    TrainingSetup setup = TrainingSetup.huggingFace(args);
    assertEquals(new OptimizerSettings(1e-5, 0.9, 0.999, 1e-8, 0.01, false), setup.optimizer());
    assertEquals(new SchedulerState("constant_with_warmup", 1e-5, 10, 100, 0), setup.schedule());
    assertEquals(1.0, setup.maxGradNorm());
    assertNull(setup.lossScaling());
    assertThrows(IllegalArgumentException.class, () -> TrainingSetup.huggingFace(flagEmbeddingExample(true)));
  }

  @Test
  void huggingFaceWarmupSteps() {
    assertEquals(7, HfTrainingArgs.warmupSteps(7, 0.5, 100), "warmup_steps wins when positive");
    assertEquals(11, HfTrainingArgs.warmupSteps(0, 0.1, 101), "ceil(10.1)");
  }
}
