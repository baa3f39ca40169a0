package io.m3spark.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

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
    return of(scores, teacher, groupSize, groupSize);
  }

  /**
   * No-in-batch mode: {@code groupScores} is B × G with each row's own group at columns 0 … G−1, so member i is
   * scored against its group only (FlagEmbedding's in-batch targets b·G + i would be out of range there, §4.6).
   */
  public static NDArray ofGroupLocal(NDArray groupScores, NDArray teacher) {
    return of(groupScores, teacher, 0, (int) groupScores.getShape().get(1));
  }

  /** @param stride G for in-batch matrices (row b's group starts at b·G), 0 for group-local ones */
  private static NDArray of(NDArray scores, NDArray teacher, int stride, int members) {
    int rows = (int) scores.getShape().get(0);
    int cols = (int) scores.getShape().get(1);
    NDArray total = null;
    for (int i = 0; i < members; i++) {
      NDArray masked = scores.add(earlierMembers(scores, rows, cols, stride, i));
      NDArray ce = InfoNceLoss.targetLogProbs(masked, stride, i).neg();
      NDArray term = ce.mul(teacher.get(":, " + i)).mean();
      total = total == null ? term : total.add(term);
    }
    return total;
  }

  /**
   * M_i: the scores' most negative finite value at (b, b·G + j) for j &lt; i, 0 elsewhere (finite, so the masked
   * log-probabilities times the one-hot's zeros stay 0; −inf would give NaN).
   */
  private static NDArray earlierMembers(NDArray scores, int rows, int cols, int groupSize, int i) {
    float lowest = scores.getDataType() == DataType.FLOAT16 ? -65504f : -Float.MAX_VALUE;
    float[] m = new float[rows * cols];
    for (int b = 0; b < rows; b++) {
      for (int j = 0; j < i; j++) {
        m[b * cols + b * groupSize + j] = lowest;
      }
    }
    return Groups.constant(scores, m, rows, cols);
  }
}
