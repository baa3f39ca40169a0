package io.m3spark.train.data;

import io.m3spark.text.TokenBatch;

/**
 * One device's tokenised batch (spec §4.3 collator, §9.2 layout): B queries and B·G passages, query-major — passages
 * [b·G, b·G+G) belong to query b, its positive at offset 0. {@code teacherScores} is B·G in the same order, or null.
 * {@code noInBatchNeg} marks data from a {@code no_in_batch_neg} file or folder (§4.4): each query is then scored only
 * against its own G passages.
 */
public record TrainBatch(TokenBatch queries, TokenBatch passages, float[] teacherScores, int groupSize,
    boolean noInBatchNeg) {

  public TrainBatch {
    if (passages.batchSize() != queries.batchSize() * groupSize) {
      throw new IllegalArgumentException(passages.batchSize() + " passages for " + queries.batchSize()
          + " queries of group size " + groupSize);
    }
    if (teacherScores != null && teacherScores.length != passages.batchSize()) {
      throw new IllegalArgumentException(teacherScores.length + " teacher scores for " + passages.batchSize()
          + " passages");
    }
  }
}
