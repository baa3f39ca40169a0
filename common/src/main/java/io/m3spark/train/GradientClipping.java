package io.m3spark.train;

import ai.djl.ndarray.NDArray;
import java.util.Collection;

/**
 * Clipping by the total gradient norm, as {@code torch.nn.utils.clip_grad_norm_} (p = 2) that the Hugging Face Trainer
 * applies with {@code max_grad_norm} (flagembedding-behaviour.md §4.2): every gradient is multiplied by
 * min(1, max_norm / (norm + 1e-6)), norm being the L2 norm of all gradients together.
 */
public final class GradientClipping {
  private static final double EPS = 1e-6;

  private GradientClipping() {}

  /** Clips in place and returns the total norm before clipping. Call with gradient recording off. */
  public static double clip(Collection<NDArray> params, double maxNorm) {
    if (!(maxNorm > 0)) {
      throw new IllegalArgumentException("max_norm must be > 0, got " + maxNorm);
    }
    double norm = Gradients.totalNorm(params);
    double coef = maxNorm / (norm + EPS);
    if (coef < 1.0) {
      for (NDArray p : params) {
        if (p.hasGradient()) {
          try (NDArray g = p.getGradient()) {
            g.muli((float) coef);
          }
        }
      }
    }
    return norm;
  }
}
