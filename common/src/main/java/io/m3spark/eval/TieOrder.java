package io.m3spark.eval;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/** How a query's hits are put in rank order; the rank column of a TREC run is never used. */
public enum TieOrder {
  /**
   * trec_eval (and pytrec_eval): score descending, equal scores by docid descending (string comparison). Scores are
   * compared with {@code <}/{@code >}, so 0.0 and -0.0 tie, as in C.
   */
  TREC_EVAL((a, b) -> a.score() > b.score() ? -1 : a.score() < b.score() ? 1 : b.docid().compareTo(a.docid())),
  /**
   * FlagEmbedding's own MRR and R_cap: Python's stable {@code sorted(..., reverse=True)} on the score, so equal scores
   * keep their input order (faiss order for FlagEmbedding's search results).
   */
  INPUT_ORDER((a, b) -> a.score() > b.score() ? -1 : a.score() < b.score() ? 1 : Integer.compare(a.seq(), b.seq()));

  private final Comparator<Hit> order;

  TieOrder(Comparator<Hit> order) {
    this.order = order;
  }

  /** The hits in rank order (a new array; TimSort makes an already ranked run cost one linear pass). */
  public Hit[] rank(List<Hit> hits) {
    Hit[] ranked = hits.toArray(new Hit[0]);
    Arrays.sort(ranked, order);
    return ranked;
  }
}
