package io.m3spark.search;

import java.io.Serializable;
import java.util.Comparator;

/**
 * The one ranking order of every search result in m3spark: score descending, then docid ascending (String order), so
 * that equal scores (duplicate texts, duplicate vectors) rank the same way whatever the sharding, the block sizes or the
 * partitioning. Both the per-shard selection ({@link ExactTopK}) and the merge ({@link TopKMerger}) use this order, which
 * is what makes the merged top k exactly the top k of the whole corpus.
 *
 * <p>Scores are compared as the fp32 values the matmul produced ({@link Float#compare}, so -0.0 ranks below 0.0), with NaN
 * ranked as minus infinity ({@link ScoreOrder}): two documents tie only when their computed scores are bit-identical.
 * A NaN score never outranks a number.
 */
public final class HitOrder implements Comparator<Hit>, Serializable {
  private static final long serialVersionUID = 1L;

  /** The shared instance. */
  public static final HitOrder INSTANCE = new HitOrder();

  private HitOrder() {}

  @Override
  public int compare(Hit a, Hit b) {
    int byScore = Float.compare(ScoreOrder.rankable(b.score()), ScoreOrder.rankable(a.score()));
    return byScore != 0 ? byScore : a.docid().compareTo(b.docid());
  }

  private Object readResolve() {
    return INSTANCE;
  }
}
