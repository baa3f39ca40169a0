package io.m3spark.search;

import ai.djl.Device;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Test vectors. {@link #smallIntegers} draws entries from {-2..2}: every dot product is a small integer, exact in fp32
 * whatever the summation order, so the device scores equal the reference bit for bit and ties are exact and frequent.
 */
public final class SearchData {

  private SearchData() {}

  public static float[][] smallIntegers(int rows, int dim, long seed) {
    Random random = new Random(seed);
    float[][] v = new float[rows][dim];
    for (float[] row : v) {
      for (int i = 0; i < dim; i++) {
        row[i] = random.nextInt(5) - 2;
      }
    }
    return v;
  }

  public static float[][] gaussian(int rows, int dim, long seed) {
    Random random = new Random(seed);
    float[][] v = new float[rows][dim];
    for (float[] row : v) {
      for (int i = 0; i < dim; i++) {
        row[i] = (float) random.nextGaussian();
      }
    }
    return v;
  }

  /** Ids whose string order differs from their numeric order ("d10" before "d2"), to catch numeric tie-breaks. */
  public static String[] ids(String prefix, int n) {
    String[] ids = new String[n];
    for (int i = 0; i < n; i++) {
      ids[i] = prefix + i;
    }
    return ids;
  }

  public static VectorBlock block(String[] ids, float[][] vectors, int from, int to) {
    List<String> blockIds = new ArrayList<>();
    List<Long> ordinals = new ArrayList<>();
    List<float[]> rows = new ArrayList<>();
    for (int i = from; i < to; i++) {
      blockIds.add(ids[i]);
      ordinals.add((long) i);
      rows.add(vectors[i]);
    }
    return VectorBlock.of(blockIds, ordinals, rows, vectors[0].length);
  }

  /** Shards the corpus, searches every query block against every shard, merges: what the Spark job does. */
  public static List<Hit[]> shardedSearch(String[] docids, float[][] corpus, String[] qids, float[][] queries, int k,
      int shardSize, int blockSize) {
    List<Hit[]> merged = new ArrayList<>();
    for (int i = 0; i < queries.length; i++) {
      merged.add(new Hit[0]);
    }
    for (int s = 0; s < corpus.length; s += shardSize) {
      try (ExactTopK shard = new ExactTopK(SearchData.block(docids, corpus, s, Math.min(corpus.length, s + shardSize)),
          Device.cpu(), false)) {
        for (int b = 0; b < queries.length; b += blockSize) {
          Hit[][] partial = shard.search(SearchData.block(qids, queries, b, Math.min(queries.length, b + blockSize)), k);
          for (int r = 0; r < partial.length; r++) {
            merged.set(b + r, TopKMerger.merge(merged.get(b + r), partial[r], k));
          }
        }
      }
    }
    return merged;
  }
}
