package io.m3spark.eval;

/**
 * nDCG@k, trec_eval measure {@code ndcg_cut.k} (FlagEmbedding key {@code ndcg_at_k}).
 *
 * <p>Definition: DCG@k / IDCG@k with DCG@k = Σ_{r=1..min(k, retrieved)} gain_r / log2(r + 1). The gain is the
 * <em>linear</em> qrels grade (no 2^g − 1). IDCG@k is the DCG of the ideal ordering of all the query's judged
 * documents (highest grade first), truncated at k — not only of the retrieved ones.
 *
 * <p>Edge cases: grades ≤ 0 (non-relevant, or negative = unjudged in trec_eval) and unjudged documents give no gain
 * and are left out of the ideal ordering. The relevance level does not apply: a grade-1 document still has gain 1 with
 * {@code -l 2}, as in trec_eval. IDCG = 0 (no positive grade) gives 0. k beyond the run just adds no gain.
 */
public final class NdcgAtK implements Metric {
  @Override
  public String name() {
    return "ndcg";
  }

  @Override
  public double value(RankedJudgements q, int k) {
    double dcg = 0;
    for (int i = 0, end = Math.min(k, q.depth()); i < end; i++) {
      int gain = q.grade(i);
      if (gain > 0) {
        dcg += gain / log2(i + 2);
      }
    }
    double ideal = 0;
    for (int i = 0, end = Math.min(k, q.idealCount()); i < end; i++) {
      ideal += q.idealGain(i) / log2(i + 2);
    }
    return ideal > 0 ? dcg / ideal : 0;
  }

  private static double log2(int x) {
    return Math.log(x) / Math.log(2);
  }
}
