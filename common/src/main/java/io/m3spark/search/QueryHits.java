package io.m3spark.search;

import java.io.Serializable;

/**
 * The result list of one query (or, before the merge, of one query against one shard), in {@link HitOrder}.
 *
 * @param qid the query id
 * @param hits at most k hits, best first
 */
public record QueryHits(String qid, Hit[] hits) implements Serializable {

  /** This list merged with another of the same query, bounded to {@code k}. */
  public QueryHits merge(QueryHits other, int k) {
    return new QueryHits(qid, TopKMerger.merge(hits, other.hits, k));
  }
}
