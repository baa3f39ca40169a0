package io.m3spark.train;

import io.m3spark.weights.HostTensor;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything {@link AdamW} accumulates while training, in host memory: the step count t (which drives the bias
 * corrections) and the first and second moment estimates per parameter name. Restoring it resumes training on the
 * same trajectory as if it had never stopped.
 */
public record AdamWState(long steps, Map<String, HostTensor> firstMoments, Map<String, HostTensor> secondMoments) {

  public AdamWState {
    if (steps < 0) {
      throw new IllegalArgumentException("negative step count " + steps);
    }
    if (!firstMoments.keySet().equals(secondMoments.keySet())) {
      throw new IllegalArgumentException("first and second moments name different parameters");
    }
    firstMoments = Collections.unmodifiableMap(new TreeMap<>(firstMoments));
    secondMoments = Collections.unmodifiableMap(new TreeMap<>(secondMoments));
  }
}
