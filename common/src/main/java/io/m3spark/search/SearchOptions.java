package io.m3spark.search;

import java.io.Serializable;

/**
 * How a distributed exact search cuts its work. One task scores one query block against one corpus shard, so the
 * largest temporary is the {@code queryBlockSize × corpusShardSize} fp32 score matrix: 128 MiB with the defaults
 * (512 × 65,536), small enough for any executor or GPU. Measured on CPU (384-d, k = 200): 512 queries already keep the
 * matmul at BLAS speed, while the per-row cost of topK falls with larger shards (a topK over 32,768 columns costs
 * more than half of one over 100,000), so the budget goes to the shard.
 *
 * @param queryBlockSize queries per block (rows of one matmul)
 * @param corpusShardSize documents per shard (columns of one matmul); the last shard of a partition may be smaller
 * @param fp16 float16 matmul on GPU (approximate, as faiss-gpu's useFloat16); ignored on CPU
 */
public record SearchOptions(int queryBlockSize, int corpusShardSize, boolean fp16) implements Serializable {
  public static final int DEFAULT_QUERY_BLOCK_SIZE = 512;
  public static final int DEFAULT_CORPUS_SHARD_SIZE = 65_536;

  public SearchOptions {
    if (queryBlockSize < 1 || corpusShardSize < 1) {
      throw new IllegalArgumentException("query block size and corpus shard size must be >= 1, got "
          + queryBlockSize + " and " + corpusShardSize);
    }
  }

  public static SearchOptions defaults() {
    return new SearchOptions(DEFAULT_QUERY_BLOCK_SIZE, DEFAULT_CORPUS_SHARD_SIZE, false);
  }
}
