package io.m3spark.search;

import java.io.Serializable;

/**
 * How a distributed exact search cuts its work. One task scores one query block against one corpus shard, so the
 * largest temporary is the {@code queryBlockSize × corpusShardSize} fp32 score matrix: 128 MiB with the defaults
 * (1,024 × 32,768), small enough for any executor or GPU and large enough that the matmul runs at BLAS speed (a block of
 * 1,024 queries amortises reading each shard from memory over 1,024 dot products per document).
 *
 * @param queryBlockSize queries per block (rows of one matmul)
 * @param corpusShardSize documents per shard (columns of one matmul); the last shard of a partition may be smaller
 * @param fp16 float16 matmul on GPU (approximate, as faiss-gpu's useFloat16); ignored on CPU
 */
public record SearchOptions(int queryBlockSize, int corpusShardSize, boolean fp16) implements Serializable {
  public static final int DEFAULT_QUERY_BLOCK_SIZE = 1024;
  public static final int DEFAULT_CORPUS_SHARD_SIZE = 32_768;

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
