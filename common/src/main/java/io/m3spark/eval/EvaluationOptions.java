package io.m3spark.eval;

import java.util.List;
import java.util.TreeSet;

/**
 * How a run is scored.
 *
 * @param kValues cut-offs, ≥ 1 (sorted and de-duplicated here); FlagEmbedding's default is 1 3 5 10 100 1000
 * @param relevanceLevel smallest grade that counts as relevant (trec_eval's {@code -l}), ≥ 1
 * @param completeQueries trec_eval's {@code -c}: average over every qrels query, one missing from the run scoring 0
 * @param flagEmbeddingCompat MRR and R_cap as FlagEmbedding computes them: input-order ties, divided by the number of
 *     qrels queries
 * @param partitionBytes text per partition when an ungrouped TREC run has to be partitioned
 */
public record EvaluationOptions(List<Integer> kValues, int relevanceLevel, boolean completeQueries,
    boolean flagEmbeddingCompat, long partitionBytes) {
  public static final List<Integer> DEFAULT_K_VALUES = List.of(1, 3, 5, 10, 100, 1000);

  public EvaluationOptions {
    if (kValues.isEmpty() || kValues.stream().anyMatch(k -> k == null || k < 1)) {
      throw new IllegalArgumentException("k values must be positive integers, got " + kValues);
    }
    if (relevanceLevel < 1) {
      throw new IllegalArgumentException("relevance level must be ≥ 1, got " + relevanceLevel);
    }
    if (partitionBytes < 1) {
      throw new IllegalArgumentException("partition size must be positive, got " + partitionBytes);
    }
    kValues = List.copyOf(new TreeSet<>(kValues));
  }

  /** FlagEmbedding's defaults: k 1 3 5 10 100 1000, relevant = grade ≥ 1, trec_eval averaging. */
  public static EvaluationOptions defaults() {
    return new EvaluationOptions(DEFAULT_K_VALUES, 1, false, false, PartitionedTrecRunReader.DEFAULT_PARTITION_BYTES);
  }

  public EvaluationOptions withKValues(List<Integer> ks) {
    return new EvaluationOptions(ks, relevanceLevel, completeQueries, flagEmbeddingCompat, partitionBytes);
  }

  public EvaluationOptions withRelevanceLevel(int level) {
    return new EvaluationOptions(kValues, level, completeQueries, flagEmbeddingCompat, partitionBytes);
  }

  public EvaluationOptions withCompleteQueries(boolean complete) {
    return new EvaluationOptions(kValues, relevanceLevel, complete, flagEmbeddingCompat, partitionBytes);
  }

  public EvaluationOptions withFlagEmbeddingCompat(boolean compat) {
    return new EvaluationOptions(kValues, relevanceLevel, completeQueries, compat, partitionBytes);
  }

  public EvaluationOptions withPartitionBytes(long bytes) {
    return new EvaluationOptions(kValues, relevanceLevel, completeQueries, flagEmbeddingCompat, bytes);
  }

  public int maxK() {
    return kValues.get(kValues.size() - 1);
  }
}
