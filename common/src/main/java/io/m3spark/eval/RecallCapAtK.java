package io.m3spark.eval;

/**
 * Capped recall, FlagEmbedding's (BEIR's) {@code R_cap@k} (key {@code recall_cap_at_k}); trec_eval has no equivalent.
 *
 * <p>Definition: |relevant ∩ top k| / min(|relevant|, k), so a query with more relevant documents than k can still
 * reach 1.
 *
 * <p>Edge cases: no relevant document → 0 (FlagEmbedding divides by zero there). FlagEmbedding computes it itself:
 * with {@code flagembedding_compat}, ties keep input order and the mean divides by the number of qrels queries.
 */
public final class RecallCapAtK implements Metric {
  @Override
  public String name() {
    return "recall_cap";
  }

  @Override
  public double value(RankedJudgements q, int k) {
    int cap = Math.min(q.relevantCount(), k);
    return cap == 0 ? 0 : (double) q.relevantInTop(k) / cap;
  }

  @Override
  public boolean computedByFlagEmbedding() {
    return true;
  }
}
