package io.m3spark.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Arithmetic with a constant that is safe under autograd. DJL's {@code x.mul(2f)} / {@code x.div(2f)} /
 * {@code x.maximum(eps)} wrap the number in a tensor over a Java direct buffer and close that tensor right after the
 * operation; autograd keeps the tensor for the backward pass (the gradient of a product or quotient needs the other
 * factor), so once the garbage collector frees the buffer, backward reads freed memory. These helpers put the constant
 * in a libtorch-owned tensor ({@code full}) attached to the operand's manager instead.
 */
public final class Scalars {
  private Scalars() {}

  /** {@code x · value}. */
  public static NDArray times(NDArray x, double value) {
    return x.mul(constantLike(x, value));
  }

  /** {@code x / value}. */
  public static NDArray dividedBy(NDArray x, double value) {
    return x.div(constantLike(x, value));
  }

  /** Element-wise {@code max(x, value)}. */
  public static NDArray atLeast(NDArray x, double value) {
    return x.maximum(constantLike(x, value));
  }

  private static NDArray constantLike(NDArray x, double value) {
    return x.getManager().full(new Shape(), (float) value, x.getDataType());
  }
}
