package io.m3spark.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.m3spark.text.TokenBatch;

/** A padded batch's token ids (int64) and attention mask (int64) as B×L tensors, both owned by libtorch. */
record TokenTensors(NDArray ids, NDArray mask) {

  static TokenTensors of(TokenBatch tokens, NDManager manager) {
    Shape shape = new Shape(tokens.batchSize(), tokens.width());
    // the casts copy out of the Java buffers create() wraps (a cast to the same type may not copy), so nothing here
    // depends on a buffer the GC may free
    try (NDArray ids = manager.create(flatten(tokens.ids()), shape);
        NDArray mask = manager.create(flatten(tokens.attentionMask()), shape)) {
      return new TokenTensors(ids.toType(DataType.INT64, true), mask.toType(DataType.INT64, true));
    }
  }

  private static int[] flatten(int[][] a) {
    int w = a.length == 0 ? 0 : a[0].length;
    int[] out = new int[a.length * w];
    for (int i = 0; i < a.length; i++) {
      System.arraycopy(a[i], 0, out, i * w, w);
    }
    return out;
  }
}
