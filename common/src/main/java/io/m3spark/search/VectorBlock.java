package io.m3spark.search;

import java.io.Serializable;
import java.util.List;

/**
 * A block of vectors with their ids: a block of queries, or one shard of the corpus. Rows are stored row-major in one
 * {@code float[]} so a block goes to the device with a single copy.
 *
 * @param ids the id of each row
 * @param ordinals each row's position in its input (queries: the order results are returned in)
 * @param vectors {@code rows × dim} floats, row-major
 * @param dim the vector dimension
 */
public record VectorBlock(String[] ids, long[] ordinals, float[] vectors, int dim) implements Serializable {

  public VectorBlock {
    if (dim < 1) {
      throw new IllegalArgumentException("dimension must be >= 1, got " + dim);
    }
    if (ids.length != ordinals.length || (long) ids.length * dim != vectors.length) {
      throw new IllegalArgumentException("block of " + ids.length + " ids, " + ordinals.length + " ordinals and "
          + vectors.length + " floats does not fit dimension " + dim);
    }
  }

  public int rows() {
    return ids.length;
  }

  /**
   * Packs rows into a block; every vector must have {@code dim} entries.
   *
   * @throws IllegalArgumentException naming the first row whose dimension differs
   */
  public static VectorBlock of(List<String> ids, List<Long> ordinals, List<float[]> vectors, int dim) {
    int n = ids.size();
    float[] packed = new float[Math.multiplyExact(n, dim)];
    long[] positions = new long[n];
    for (int i = 0; i < n; i++) {
      float[] v = vectors.get(i);
      if (v.length != dim) {
        throw new IllegalArgumentException("vector of id " + ids.get(i) + " has dimension " + v.length + ", expected "
            + dim);
      }
      System.arraycopy(v, 0, packed, i * dim, dim);
      positions[i] = ordinals.get(i);
    }
    return new VectorBlock(ids.toArray(String[]::new), positions, packed, dim);
  }
}
