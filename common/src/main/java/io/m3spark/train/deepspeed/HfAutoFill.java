package io.m3spark.train.deepspeed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code HfTrainerDeepSpeedConfig.trainer_config_process} and {@code trainer_config_finalize} do to a DeepSpeed
 * config: each key below that is {@code "auto"} takes the Hugging Face value; an explicit value that differs from it
 * is a mismatch (except {@code warmup_min_lr}, filled only). Keys not in the config are left out, and all mismatches
 * are reported together.
 */
final class HfAutoFill {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private final ObjectNode root;
  private final List<String> mismatches = new ArrayList<>();

  private HfAutoFill(ObjectNode root) {
    this.root = root;
  }

  /** Fills {@code config} in place from {@code args}; throws listing every mismatch. */
  static void fill(ObjectNode config, HfTrainingArgs args) {
    HfAutoFill f = new HfAutoFill(config);
    f.match("train_micro_batch_size_per_gpu", JSON.numberNode(args.perDeviceTrainBatchSize()),
        "per_device_train_batch_size");
    f.match("gradient_accumulation_steps", JSON.numberNode(args.gradientAccumulationSteps()),
        "gradient_accumulation_steps");
    f.match("train_batch_size", JSON.numberNode((long) args.worldSize() * args.perDeviceTrainBatchSize()
        * args.gradientAccumulationSteps()), "train_batch_size (calculated)");
    f.match("gradient_clipping", JSON.numberNode(args.maxGradNorm()), "max_grad_norm");
    f.match("optimizer.params.lr", JSON.numberNode(args.learningRate()), "learning_rate");
    f.match("optimizer.params.betas", JSON.arrayNode().add(args.adamBeta1()).add(args.adamBeta2()),
        "adam_beta1+adam_beta2");
    f.match("optimizer.params.eps", JSON.numberNode(args.adamEpsilon()), "adam_epsilon");
    f.match("optimizer.params.weight_decay", JSON.numberNode(args.weightDecay()), "weight_decay");
    f.fill("scheduler.params.warmup_min_lr", JSON.numberNode(0), null, false);
    f.match("scheduler.params.warmup_max_lr", JSON.numberNode(args.learningRate()), "learning_rate");
    f.match("fp16.enabled", JSON.booleanNode(args.fp16()), "fp16");
    f.match("bf16.enabled", JSON.booleanNode(false), "bf16");
    f.match("scheduler.params.total_num_steps", JSON.numberNode(args.totalSteps()), "num_training_steps (calculated)");
    f.match("scheduler.params.warmup_num_steps", JSON.numberNode(args.warmupSteps()), "warmup_steps");
    if (!f.mismatches.isEmpty()) {
      throw new DeepSpeedConfigException("DeepSpeed config values mismatch the training arguments (set them to"
          + " \"auto\" or change the arguments):\n" + String.join("\n", f.mismatches));
    }
  }

  private void match(String keyPath, JsonNode hfValue, String hfName) {
    fill(keyPath, hfValue, hfName, true);
  }

  private void fill(String keyPath, JsonNode hfValue, String hfName, boolean mustMatch) {
    String[] keys = keyPath.split("\\.");
    JsonNode parent = root;
    for (int i = 0; i < keys.length - 1; i++) {
      parent = parent.get(keys[i]);
      if (parent == null || !parent.isObject()) {
        return;
      }
    }
    String key = keys[keys.length - 1];
    JsonNode value = parent.get(key);
    if (value == null || value.isNull()) {
      return;
    }
    if (value.isTextual() && value.textValue().equals("auto")) {
      ((ObjectNode) parent).set(key, hfValue);
    } else if (mustMatch && !same(value, hfValue)) {
      mismatches.add("- ds " + keyPath + "=" + value + " vs hf " + hfName + "=" + hfValue);
    }
  }

  /** Equality as Python's {@code !=} sees these values: numbers by value, lists element by element. */
  private static boolean same(JsonNode a, JsonNode b) {
    if (a.isNumber() && b.isNumber()) {
      return a.doubleValue() == b.doubleValue();
    }
    if (a.isArray() && b.isArray() && a.size() == b.size()) {
      for (int i = 0; i < a.size(); i++) {
        if (!same(a.get(i), b.get(i))) {
          return false;
        }
      }
      return true;
    }
    return a.equals(b);
  }
}
