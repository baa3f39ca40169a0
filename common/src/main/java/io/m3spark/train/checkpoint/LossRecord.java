package io.m3spark.train.checkpoint;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One logged optimizer step: the total loss, its parts by name ({@code loss_dense}, {@code loss_sparse},
 * {@code loss_colbert}, ...) in the order the trainer reports them, and the learning rate used.
 */
public record LossRecord(long step, double loss, Map<String, Double> components, double lr) {

  public LossRecord {
    if (step < 0) {
      throw new IllegalArgumentException("negative step " + step);
    }
    for (String name : components.keySet()) {
      if (name.equals("step") || name.equals("loss") || name.equals("lr")) {
        throw new IllegalArgumentException("component name '" + name + "' clashes with a record field");
      }
    }
    components = Collections.unmodifiableMap(new LinkedHashMap<>(components));
  }
}
