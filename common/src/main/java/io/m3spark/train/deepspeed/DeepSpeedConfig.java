package io.m3spark.train.deepspeed;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.m3spark.io.StrictJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A DeepSpeed JSON config as written (with its {@code "auto"} values), e.g. the file given to {@code --deepspeed}.
 * Duplicate keys are an error, as in DeepSpeed.
 */
public final class DeepSpeedConfig {
  private final ObjectNode root;

  private DeepSpeedConfig(ObjectNode root) {
    this.root = root;
  }

  /** Parses a config from JSON text. */
  public static DeepSpeedConfig parse(String json) {
    JsonNode node;
    try {
      node = StrictJson.READER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new DeepSpeedConfigException("DeepSpeed config is not valid JSON: " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      throw new DeepSpeedConfigException("DeepSpeed config must be a JSON object");
    }
    return new DeepSpeedConfig((ObjectNode) node);
  }

  /** Reads the config file at {@code file}. */
  public static DeepSpeedConfig read(Path file) throws IOException {
    return parse(Files.readString(file));
  }

  /** A copy of the JSON tree, so resolving never changes this config. */
  ObjectNode tree() {
    return root.deepCopy();
  }
}
