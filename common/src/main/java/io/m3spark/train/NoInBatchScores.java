package io.m3spark.train;

import ai.djl.ndarray.NDArray;
import io.m3spark.model.Scalars;

/**
 * Score matrices of no-in-batch mode (data marked {@code no_in_batch_neg}, flagembedding-behaviour.md §4.5): every
 * query is scored only against its own G passages, so each matrix is B × G with the positive in column 0; train them
 * with {@link InfoNceLoss#ofGroupLocal}. {@link SelfDistillLoss} applies unchanged: its teacher is then the softmax of
 * the B × G ensemble, i.e. over the G columns of the group.
 *
 * <p>Known divergence from FlagEmbedding, on purpose: there the ensemble path cuts the passages to the B positives, so
 * its score is the single element [b, b] of the B × G ensemble matrix (out of range when B > G), its CE over one column
 * is identically 0 and the self-distillation teacher degenerates to ones, which pushes the group scores toward uniform.
 * We compute what that code clearly intends: S_e = S_d + 0.3·S_s + S_c on the B × G matrices, target 0.
 */
public final class NoInBatchScores {
  private NoInBatchScores() {}

  /**
   * Cuts each row's own group out of the in-batch B × (B·G) matrices and rebuilds the ensemble from the cut ones.
   * Scoring the whole batch first costs B times the needed work, but keeps one definition of the three scores.
   */
  public static ScoreMatrices of(ScoreMatrices inBatch, int groupSize) {
    NDArray dense = ownGroups(inBatch.dense(), groupSize);
    NDArray sparse = ownGroups(inBatch.sparse(), groupSize);
    NDArray colbert = ownGroups(inBatch.colbert(), groupSize);
    NDArray ensemble = dense.add(Scalars.times(sparse, ScoreMatrices.SPARSE_ENSEMBLE_WEIGHT)).add(colbert);
    return new ScoreMatrices(dense, sparse, colbert, ensemble);
  }

  /** The B × G block of each row's own group cut out of one B × (B·G) in-batch matrix. */
  public static NDArray ownGroups(NDArray inBatch, int groupSize) {
    return Groups.ownGroup(inBatch, groupSize);
  }
}
