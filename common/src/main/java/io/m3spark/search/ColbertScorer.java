package io.m3spark.search;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.m3spark.model.Scores;
import java.util.List;

/**
 * ColBERT (multi-vector) scores of one passage against many queries, {@link Scores#colbert} computed as matrix
 * products on a device: the queries' token vectors are stacked into one {@code R×d} matrix, multiplied by the passage's
 * {@code d×L}, the row maxima taken, and each query's maxima averaged on the host. On a CPU this is BLAS instead of a
 * scalar loop per token pair (the difference between minutes and hours when re-ranking thousands of candidates per
 * query); scores are fp32 products, equal to the double-precision reference up to rounding.
 *
 * <p>Memory: at most {@value #MAX_ROWS} query rows × the passage length of scores per product. Not thread-safe; one
 * instance per task.
 */
public final class ColbertScorer implements AutoCloseable {
  /** Query token rows per matrix product. */
  static final int MAX_ROWS = 8192;

  private final NDManager manager;

  public ColbertScorer(Device device) {
    this.manager = NDManager.newBaseManager(device, "PyTorch");
  }

  /** The colbert score of each query against {@code passage}, in the order of {@code queries}. */
  public double[] scores(float[][] passage, List<float[][]> queries) {
    double[] out = new double[queries.size()];
    if (passage.length == 0) {
      return out; // no passage vector: every max is absent and counts 0, as in Scores.colbert
    }
    int dim = passage[0].length;
    try (NDManager call = manager.newSubManager()) {
      NDArray passageT = call.create(flatten(java.util.Collections.singletonList(passage), passage.length, dim), new Shape(passage.length, dim))
          .transpose();
      int first = 0;
      while (first < queries.size()) {
        int last = first;
        int rows = 0;
        while (last < queries.size() && (rows == 0 || rows + queries.get(last).length <= MAX_ROWS)) {
          rows += queries.get(last).length;
          last++;
        }
        List<float[][]> chunk = queries.subList(first, last);
        if (rows > 0) {
          try (NDManager step = call.newSubManager()) {
            NDArray q = step.create(flatten(chunk, rows, dim), new Shape(rows, dim));
            float[] maxima = q.matMul(passageT).max(new int[] {1}).toFloatArray();
            int row = 0;
            for (int i = 0; i < chunk.size(); i++) {
              int n = chunk.get(i).length;
              double sum = 0;
              for (int j = 0; j < n; j++) {
                sum += maxima[row++];
              }
              out[first + i] = n == 0 ? 0 : sum / n;
            }
          }
        }
        first = last;
      }
    }
    return out;
  }

  private static float[] flatten(List<float[][]> matrices, int rows, int dim) {
    float[] flat = new float[rows * dim];
    int offset = 0;
    for (float[][] m : matrices) {
      for (float[] v : m) {
        System.arraycopy(v, 0, flat, offset, dim);
        offset += dim;
      }
    }
    return flat;
  }

  @Override
  public void close() {
    manager.close();
  }
}
