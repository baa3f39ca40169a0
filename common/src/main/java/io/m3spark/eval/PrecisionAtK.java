package io.m3spark.eval;

/**
 * Precision at k, trec_eval measure {@code P.k} (FlagEmbedding key {@code precision_at_k}).
 *
 * <p>Definition: |relevant ∩ top k| / k, relevant = judged with grade ≥ the relevance level.
 *
 * <p>Edge cases: the divisor is k even when the run retrieved fewer than k documents (trec_eval's choice: a short
 * list is not rewarded). A query with no relevant document scores 0.
 */
public final class PrecisionAtK implements Metric {
  @Override
  public String name() {
    return "precision";
  }

  @Override
  public double value(RankedJudgements q, int k) {
    return (double) q.relevantInTop(k) / k;
  }
}
