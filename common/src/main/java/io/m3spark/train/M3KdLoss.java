package io.m3spark.train;

import ai.djl.ndarray.NDArray;

/**
 * Knowledge distillation from reranker scores, {@code kd_loss_type=m3_kd_loss} (used in the BGE-M3 examples).
 *
 * <p>Definition: L = Σ_{i=0}^{G−1} mean_b [ pᵀ_{b,i} · CE_b(S + M_i, target b·G + i) ], where M_i puts the most negative
 * value at columns b·G + j, j &lt; i, of row b: each group member is a positive against every in-batch passage except
 * the members of its own group ranked before it.
 *
 * <p>FlagEmbedding: flagembedding-behaviour.md §4.6, worked example §9.3.
 *
 * <p>Inputs: the B × (B·G) score matrix, the teacher probabilities B×G ({@link TeacherScores}) and G.
 *
 * <p>Notes: there is no separate plain CE term (i = 0 is InfoNCE weighted by pᵀ_{b,0}).
 */
public final class M3KdLoss {
  private M3KdLoss() {}

  public static NDArray of(NDArray scores, NDArray teacher, int groupSize) {
    int rows = (int) scores.getShape().get(0);
    int cols = (int) scores.getShape().get(1);
    NDArray total = null;
    for (int i = 0; i < groupSize; i++) {
      NDArray masked = scores.add(earlierMembers(scores, rows, cols, groupSize, i));
      NDArray ce = InfoNceLoss.targetLogProbs(masked, groupSize, i).neg();
      NDArray term = ce.mul(teacher.get(":, " + i)).mean();
      total = total == null ? term : total.add(term);
    }
    return total;
  }

  /** M_i: the most negative finite value at (b, b·G + j) for j &lt; i, 0 elsewhere. */
  private static NDArray earlierMembers(NDArray scores, int rows, int cols, int groupSize, int i) {
    float[] m = new float[rows * cols];
    for (int b = 0; b < rows; b++) {
      for (int j = 0; j < i; j++) {
        m[b * cols + b * groupSize + j] = -Float.MAX_VALUE;
      }
    }
    return Groups.constant(scores, m, rows, cols);
  }
}
