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
    NDArray group = Groups.ownGroup(scores, groupSize).logSoftmax(1);
    NDArray distill = teacher.mul(group).sum(new int[] {1}).neg().mean();
    return distill.add(InfoNceLoss.of(scores, groupSize));
  }
}
