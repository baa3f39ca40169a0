package io.m3spark.train.deepspeed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collection;
import java.util.Optional;
import java.util.TreeSet;

/**
 * One JSON object of a DeepSpeed config with its dotted key path: typed reads with DeepSpeed's defaults for missing
 * keys, and errors that name the key.
 */
final class ConfigSection {
  private final ObjectNode node;
  private final String path;

  private ConfigSection(ObjectNode node, String path) {
    this.node = node;
    this.path = path;
  }

  static ConfigSection root(ObjectNode node) {
    return new ConfigSection(node, "");
  }

  /** The dotted path of {@code key} in this section; of the section itself for an empty key. */
  String path(String key) {
    return key.isEmpty() ? path : path.isEmpty() ? key : path + "." + key;
  }

  boolean has(String key) {
    return node.hasNonNull(key);
  }

  /** Refuses every key outside {@code allowed}, naming all of them; {@code why} says what is supported. */
  void allowOnly(Collection<String> allowed, String why) {
    TreeSet<String> refused = new TreeSet<>();
    node.fieldNames().forEachRemaining(k -> {
      if (!allowed.contains(k)) {
        refused.add(path(k));
      }
    });
    if (!refused.isEmpty()) {
      throw new DeepSpeedConfigException("DeepSpeed config key" + (refused.size() > 1 ? "s " : " ")
          + String.join(", ", refused) + " not supported: " + why);
    }
  }

  /** The sub-object at {@code key}, if present. */
  Optional<ConfigSection> section(String key) {
    JsonNode v = node.get(key);
    if (v == null || v.isNull()) {
      return Optional.empty();
    }
    if (!v.isObject()) {
      throw DeepSpeedConfigException.at(path(key), "expected a JSON object, got " + v);
    }
    return Optional.of(new ConfigSection((ObjectNode) v, path(key)));
  }

  /** The sub-object at {@code key}, or an empty one. */
  ConfigSection sectionOrEmpty(String key) {
    return section(key).orElseGet(() -> new ConfigSection(node.objectNode(), path(key)));
  }

  double number(String key, double missing) {
    JsonNode v = value(key);
    if (v == null) {
      return missing;
    }
    if (!v.isNumber()) {
      throw DeepSpeedConfigException.at(path(key), "expected a number, got " + v);
    }
    return v.doubleValue();
  }

  Optional<Long> integer(String key) {
    JsonNode v = value(key);
    if (v == null) {
      return Optional.empty();
    }
    if (!v.isNumber() || v.doubleValue() != Math.rint(v.doubleValue())) {
      throw DeepSpeedConfigException.at(path(key), "expected an integer, got " + v);
    }
    return Optional.of(v.longValue());
  }

  long integer(String key, long missing) {
    return integer(key).orElse(missing);
  }

  long requiredInteger(String key) {
    return integer(key).orElseThrow(() -> DeepSpeedConfigException.at(path(key), "required"));
  }

  boolean flag(String key, boolean missing) {
    JsonNode v = value(key);
    if (v == null) {
      return missing;
    }
    if (!v.isBoolean()) {
      throw DeepSpeedConfigException.at(path(key), "expected true or false, got " + v);
    }
    return v.booleanValue();
  }

  String text(String key, String missing) {
    JsonNode v = value(key);
    if (v == null) {
      return missing;
    }
    if (!v.isTextual()) {
      throw DeepSpeedConfigException.at(path(key), "expected a string, got " + v);
    }
    return v.textValue();
  }

  String requiredText(String key) {
    String v = text(key, null);
    if (v == null) {
      throw DeepSpeedConfigException.at(path(key), "required");
    }
    return v;
  }

  double[] pair(String key, double first, double second) {
    JsonNode v = value(key);
    if (v == null) {
      return new double[] {first, second};
    }
    if (!v.isArray() || v.size() != 2 || !v.get(0).isNumber() || !v.get(1).isNumber()) {
      throw DeepSpeedConfigException.at(path(key), "expected two numbers, got " + v);
    }
    return new double[] {v.get(0).doubleValue(), v.get(1).doubleValue()};
  }

  /** The value at {@code key}, null if missing; an {@code "auto"} nothing filled is an error. */
  private JsonNode value(String key) {
    JsonNode v = node.get(key);
    if (v == null || v.isNull()) {
      return null;
    }
    if (v.isTextual() && v.textValue().equals("auto")) {
      throw DeepSpeedConfigException.at(path(key), "\"auto\" has no training argument to take its value from here");
    }
    return v;
  }
}
