package io.m3spark.train;

import ai.djl.ndarray.NDArray;

/**
 * InfoNCE with in-batch negatives.
 *
 * <p>Definition: CE(S) = −mean_b log softmax(S_b)[b·G], S of shape B × (B·G) with passages query-major, so the
 * positive of query b is column b·G and every other column (its own hard negatives and the other queries' passages)
 * is a negative.
 *
 * <p>FlagEmbedding: flagembedding-behaviour.md §4.5 (compute_loss with targets arange(B)·G), worked example §9.2.
 *
 * <p>Inputs: the score matrix (already divided by τ) and the group size G.
 *
 * <p>Notes: the target is picked with a constant one-hot mask, so the whole loss stays differentiable in S.
 */
public final class InfoNceLoss {
  private InfoNceLoss() {}

  public static NDArray of(NDArray scores, int groupSize) {
    return targetLogProbs(scores, groupSize, 0).neg().mean();
  }

  /**
   * CE over B × G group-local scores (no-in-batch mode, {@link NoInBatchScores}): every row's positive is column 0.
   * A group size of 0 in the one-hot puts each row's target at column b·0 = 0.
   */
  public static NDArray ofGroupLocal(NDArray groupScores) {
    return targetLogProbs(groupScores, 0, 0).neg().mean();
  }

  /** B-vector log softmax(S_b)[b·G + offset]. */
  static NDArray targetLogProbs(NDArray scores, int groupSize, int offset) {
    return scores.logSoftmax(1).mul(Groups.oneHot(scores, groupSize, offset)).sum(new int[] {1});
  }
}
