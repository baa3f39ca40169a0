package io.m3spark.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * The knowledge-distillation teacher (flagembedding-behaviour.md §4.6): pᵀ = softmax of the raw reranker scores over
 * the G members of each group, with no temperature, as a constant (no gradient).
 */
public final class TeacherScores {
  private TeacherScores() {}

  /** @param scores B×G raw teacher scores, positive first, in the sampled order */
  public static NDArray probabilities(float[][] scores, NDManager manager) {
    int b = scores.length;
    int g = scores[0].length;
    float[] flat = new float[b * g];
    for (int i = 0; i < b; i++) {
      if (scores[i].length != g) {
        throw new IllegalArgumentException("teacher scores: row " + i + " has " + scores[i].length + " values, expected " + g);
      }
      System.arraycopy(scores[i], 0, flat, i * g, g);
    }
    return manager.create(flat, new Shape(b, g)).softmax(1);
  }
}
