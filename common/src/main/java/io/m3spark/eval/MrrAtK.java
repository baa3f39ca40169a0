package io.m3spark.eval;

/**
 * Reciprocal rank within the top k, FlagEmbedding's {@code MRR@k} (key {@code mrr_at_k}); for k ≥ the run's depth it
 * equals trec_eval's {@code recip_rank}, which has no cut-off.
 *
 * <p>Definition: 1 / (rank of the first relevant hit among the top k), 0 if there is none.
 *
 * <p>Edge cases: no relevant document → 0. FlagEmbedding computes it itself (not pytrec_eval): with
 * {@code flagembedding_compat}, ties keep input order and the mean divides by the number of qrels queries; by
 * default trec_eval's tie order and averaging apply, as for the other metrics.
 */
public final class MrrAtK implements Metric {
  @Override
  public String name() {
    return "mrr";
  }

  @Override
  public double value(RankedJudgements q, int k) {
    for (int i = 0, end = Math.min(k, q.depth()); i < end; i++) {
      if (q.isRelevant(i)) {
        return 1.0 / (i + 1);
      }
    }
    return 0;
  }

  @Override
  public boolean computedByFlagEmbedding() {
    return true;
  }
}
