package io.m3spark.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.m3spark.train.collective.Collective;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Data-parallel gradient averaging (what DDP does after backward): every parameter gradient is flattened into one
 * float[] in the order of the parameter names, averaged over the ranks with {@link Collective#allReduceMean} and
 * written back, so every rank ends with the same gradients.
 */
public final class GradientSync {
  private GradientSync() {}

  /**
   * Collective call: every rank must pass parameters with the same names and shapes. Sorting by name fixes the
   * layout of the flat vector whatever the map's iteration order.
   */
  public static void allReduceMean(Map<String, NDArray> params, Collective collective) {
    List<NDArray> withGradient = new ArrayList<>();
    new TreeMap<>(params).values().forEach(p -> {
      if (p.hasGradient()) {
        withGradient.add(p);
      }
    });
    long total = 0;
    for (NDArray p : withGradient) {
      total += p.size();
    }
    float[] flat = new float[Math.toIntExact(total)];
    int offset = 0;
    for (NDArray p : withGradient) {
      try (NDArray g = p.getGradient(); NDArray g32 = g.toType(DataType.FLOAT32, true)) {
        float[] values = g32.toFloatArray();
        System.arraycopy(values, 0, flat, offset, values.length);
        offset += values.length;
      }
    }
    collective.allReduceMean(flat);
    offset = 0;
    for (NDArray p : withGradient) {
      int n = Math.toIntExact(p.size());
      float[] mean = new float[n];
      System.arraycopy(flat, offset, mean, 0, n);
      offset += n;
      try (NDManager scratch = p.getManager().newSubManager(); NDArray src = scratch.create(mean, p.getShape())) {
        Gradients.assign(p, src);
      }
    }
  }
}
