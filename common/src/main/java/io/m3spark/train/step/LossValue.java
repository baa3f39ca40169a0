package io.m3spark.train.step;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The loss of one forward pass: {@code total} to back-propagate and its named parts for the loss log
 * ({@code loss_dense}, {@code loss_sparse}, {@code loss_colbert}, {@code loss_ensemble}, {@code loss_self_distill}),
 * in that order, present only when they take part.
 */
public record LossValue(NDArray total, Map<String, NDArray> parts) {
  public LossValue {
    parts = Collections.unmodifiableMap(new LinkedHashMap<>(parts));
  }

  /** Host values of the parts, in order. */
  public Map<String, Double> partValues() {
    Map<String, Double> out = new LinkedHashMap<>();
    parts.forEach((name, v) -> out.put(name, hostValue(v)));
    return out;
  }

  /** A scalar loss of any float type as a double. */
  public static double hostValue(NDArray scalar) {
    try (NDArray f = scalar.toType(DataType.FLOAT32, true)) {
      return f.getFloat();
    }
  }
}
