package io.m3spark.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** Constant masks over a B × (B·G) query-major score matrix (row b's own group is columns b·G … b·G+G−1). */
final class Groups {
  private Groups() {}

  /** 1 at (b, b·G + offset), 0 elsewhere, in the scores' data type. */
  static NDArray oneHot(NDArray scores, int groupSize, int offset) {
    int rows = rows(scores);
    int cols = cols(scores);
    float[] m = new float[rows * cols];
    for (int b = 0; b < rows; b++) {
      m[b * cols + b * groupSize + offset] = 1f;
    }
    return constant(scores, m, rows, cols);
  }

  /** The B×G block of each row's own group: S[b, b·G + g]. */
  static NDArray ownGroup(NDArray scores, int groupSize) {
    int rows = rows(scores);
    float[] m = new float[rows * rows];
    for (int b = 0; b < rows; b++) {
      m[b * rows + b] = 1f;
    }
    NDArray block = constant(scores, m, rows, rows).reshape(rows, rows, 1);
    return scores.reshape(rows, cols(scores) / groupSize, groupSize).mul(block).sum(new int[] {1});
  }

  static NDArray constant(NDArray like, float[] values, int rows, int cols) {
    return like.getManager().create(values, new Shape(rows, cols)).toType(like.getDataType(), false);
  }

  private static int rows(NDArray s) {
    return (int) s.getShape().get(0);
  }

  private static int cols(NDArray s) {
    return (int) s.getShape().get(1);
  }
}
