package io.m3spark.eval;

/**
 * Recall at k, trec_eval measure {@code recall.k} (FlagEmbedding key {@code recall_at_k}).
 *
 * <p>Definition: |relevant ∩ top k| / |relevant|, relevant = judged with grade ≥ the relevance level.
 *
 * <p>Edge cases: no relevant document in the qrels → 0 (trec_eval skips the division and leaves 0). k beyond the
 * run counts every retrieved document.
 */
public final class RecallAtK implements Metric {
  @Override
  public String name() {
    return "recall";
  }

  @Override
  public double value(RankedJudgements q, int k) {
    return q.relevantCount() == 0 ? 0 : (double) q.relevantInTop(k) / q.relevantCount();
  }
}
