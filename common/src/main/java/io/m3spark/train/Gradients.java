package io.m3spark.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import java.util.Collection;

/**
 * Helpers over the gradients of a set of parameters (those with {@code setRequiresGradient(true)}). Each
 * {@code getGradient()} view, and whatever DJL creates while writing through it, lives in a short-lived manager, so
 * repeated calls do not pile up in the parameters' manager.
 */
public final class Gradients {
  private Gradients() {}

  /**
   * Sets every gradient to 0 (libtorch accumulates gradients across backward passes). Written, not multiplied by 0:
   * after an fp16 overflow a gradient holds inf or NaN, and 0 · inf is NaN.
   */
  public static void zero(Collection<NDArray> params) {
    for (NDArray p : params) {
      if (p.hasGradient()) {
        try (NDManager scratch = NDManager.newBaseManager(p.getDevice())) {
          NDArray g = p.getGradient();
          g.attach(scratch);
          g.set(new NDIndex(":"), 0f);
        }
      }
    }
  }

  /**
   * Overwrites {@code param}'s gradient with {@code values} (any float type, same shape), copying into the gradient's
   * own storage. {@code NDArray.set(Buffer)} must not be used for this: it re-points the tensor at the Java buffer
   * without copying, and the gradient then lives in memory the garbage collector frees.
   */
  public static void assign(NDArray param, NDArray values) {
    try (NDManager scratch = NDManager.newBaseManager(param.getDevice())) {
      NDArray g = param.getGradient();
      g.attach(scratch);
      overwrite(g, values);
    }
  }

  /**
   * {@code target[:] = values} (cast to the target's type), in the target's storage. DJL's indexer puts the
   * temporaries it makes (the scalar or reshaped value) into the target's manager, so call it on a view attached to a
   * short-lived manager, never on a long-lived parameter or gradient handle, or every call leaks.
   */
  public static void overwrite(NDArray target, NDArray values) {
    try (NDArray cast = values.toType(target.getDataType(), true)) {
      target.set(new NDIndex(":"), cast);
    }
  }

  /** L2 norm of one parameter's gradient, accumulated in double. */
  public static double norm(NDArray param) {
    return Math.sqrt(squaredNorm(param));
  }

  /** L2 norm of all gradients together, as one flat vector (torch.nn.utils.clip_grad_norm_ with p = 2). */
  public static double totalNorm(Collection<NDArray> params) {
    double sum = 0;
    for (NDArray p : params) {
      sum += squaredNorm(p);
    }
    return Math.sqrt(sum);
  }

  private static double squaredNorm(NDArray param) {
    if (!param.hasGradient()) {
      return 0;
    }
    double[] values;
    try (NDArray g = param.getGradient(); NDArray g64 = g.toType(DataType.FLOAT64, true)) {
      values = g64.toDoubleArray();
    }
    double sum = 0;
    for (double v : values) {
      sum += (double) v * v;
    }
    return sum;
  }
}
