package io.m3spark.search;

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
}
