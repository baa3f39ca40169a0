package io.m3spark.train;

import ai.djl.ndarray.NDArray;

/**
 * Knowledge distillation from reranker scores, {@code kd_loss_type=kl_div} (FlagEmbedding's default).
 *
 * <p>Definition: L = −mean_b Σ_g pᵀ_{b,g} · log softmax(S^grp_b)_g + CE(S), where S^grp is the B×G slice of each row's
 * own group and CE is {@link InfoNceLoss}.
 *
 * <p>FlagEmbedding: flagembedding-behaviour.md §4.6.
 *
 * <p>Inputs: the B × (B·G) score matrix, the teacher probabilities B×G ({@link TeacherScores}) and G.
 *
 * <p>Notes: cross-entropy to soft targets; it equals KL(pᵀ ‖ student) up to the teacher's entropy, a constant.
 */
public final class KlDivKdLoss {
  private KlDivKdLoss() {}

  public static NDArray of(NDArray scores, NDArray teacher, int groupSize) {
    return distillation(scores, teacher, groupSize).add(InfoNceLoss.of(scores, groupSize));
  }

  /** The distillation term alone: −mean_b Σ_g pᵀ_{b,g} · log softmax(S^grp_b)_g. */
  public static NDArray distillation(NDArray scores, NDArray teacher, int groupSize) {
    return groupDistillation(Groups.ownGroup(scores, groupSize), teacher);
  }

  /** No-in-batch mode: {@code groupScores} is already B × G, each row's positive at column 0. */
  public static NDArray ofGroupLocal(NDArray groupScores, NDArray teacher) {
    return groupDistillation(groupScores, teacher).add(InfoNceLoss.ofGroupLocal(groupScores));
  }

  private static NDArray groupDistillation(NDArray groupScores, NDArray teacher) {
    return teacher.mul(groupScores.logSoftmax(1)).sum(new int[] {1}).neg().mean();
  }
}
