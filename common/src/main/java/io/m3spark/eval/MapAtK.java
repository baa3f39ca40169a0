package io.m3spark.eval;

/**
 * Average precision cut at k, trec_eval measure {@code map_cut.k} (FlagEmbedding key {@code map_at_k}).
 *
 * <p>Definition: (Σ_{r ≤ k, doc_r relevant} P@r) / |relevant|, where |relevant| counts all the query's judged
 * documents with grade ≥ the relevance level, retrieved or not (so a short run cannot score 1 by luck).
 *
 * <p>Edge cases: no relevant document in the qrels → 0 (trec_eval leaves the value at 0). k beyond the run adds
 * nothing.
 */
public final class MapAtK implements Metric {
  @Override
  public String name() {
    return "map";
  }

  @Override
  public double value(RankedJudgements q, int k) {
    if (q.relevantCount() == 0) {
      return 0;
    }
    double sum = 0;
    int found = 0;
    for (int i = 0, end = Math.min(k, q.depth()); i < end; i++) {
      if (q.isRelevant(i)) {
        found++;
        sum += (double) found / (i + 1);
      }
    }
    return sum / q.relevantCount();
  }
}
