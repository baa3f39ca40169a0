package io.m3spark.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Inverted dropout (keep with probability 1 − p, scale kept values by 1/(1 − p), as torch) whose mask is a function
 * of {@link DropoutKey}, row, layer and site, so recomputation and any split of the rows reproduce it. Each row's
 * uniform numbers come from libtorch's default generator reseeded with that row's seed; the generator is global, so
 * seeding and drawing happen under one JVM-wide lock (nothing else in training draws from it). Drawing with libtorch
 * rather than in Java keeps the masks on the tensor's device.
 *
 * <p>The mask is a libtorch-owned boolean constant (no gradient); autograd saves it for the backward pass as torch's
 * own dropout saves its mask.
 */
final class KeyedDropout {
  /** Dropout sites of a layer; the embeddings use {@link #HIDDEN} at layer −1. */
  static final int HIDDEN = 0;
  static final int ATTENTION_PROBS = 1;
  static final int ATTENTION_OUTPUT = 2;
  static final int FFN_OUTPUT = 3;

  private static final Object GENERATOR_LOCK = new Object();

  private KeyedDropout() {}

  /** x with keyed dropout at rate p; x itself when the key is null or p is 0. */
  static NDArray apply(NDArray x, float p, DropoutKey key, int layer, int site) {
    if (key == null || p == 0f) {
      return x;
    }
    if (!(p > 0f && p < 1f)) {
      throw new IllegalArgumentException("dropout rate must be in [0, 1), got " + p);
    }
    NDManager manager = x.getManager();
    Shape shape = x.getShape();
    Shape rowShape = shape.slice(1);
    NDArray keep;
    try (NDManager scratch = manager.newSubManager()) {
      NDList rows = new NDList();
      synchronized (GENERATOR_LOCK) {
        for (long r = 0; r < shape.get(0); r++) {
          JniUtils.setSeed(key.rowSeed(r, layer, site));
          rows.add(scratch.randomUniform(0f, 1f, rowShape, DataType.FLOAT32, x.getDevice()));
        }
      }
      keep = NDArrays.stack(rows).gte(p);
      keep.attach(manager);
    }
    return Scalars.times(x.mul(keep), 1.0 / (1.0 - p));
  }
}
