package io.m3spark.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Activation;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * BGE-M3's three representations from the last hidden state, as FlagEmbedding computes them
 * ({@code m3/modeling.py} and {@code inference/embedder/encoder_only/m3.py}). The NDArray methods are differentiable
 * (no casts of the hidden state) so training can reuse them.
 */
public final class M3Heads {
  public static final String COLBERT_WEIGHT = "colbert_linear.weight";
  public static final String COLBERT_BIAS = "colbert_linear.bias";
  public static final String SPARSE_WEIGHT = "sparse_linear.weight";
  public static final String SPARSE_BIAS = "sparse_linear.bias";

  /** torch.nn.functional.normalize's eps. */
  private static final float NORM_EPS = 1e-12f;

  private M3Heads() {}

  /**
   * Dense vector B×H.
   *
   * @param maskF B×L mask in h's data type
   */
  public static NDArray dense(NDArray h, NDArray maskF, Pooling pooling, boolean normalize) {
    NDArray e = switch (pooling) {
      case CLS -> h.get(new NDIndex(":, 0, :"));
      case MEAN -> h.mul(maskF.expandDims(2)).sum(new int[] {1}).div(maskF.sum(new int[] {1}, true));
      case LAST_TOKEN -> {
        // one-hot of position (real length − 1), so gradients flow like h[arange, len-1]
        NDArray last = maskF.sum(new int[] {1}, true).sub(1f);
        NDArray positions = h.getManager().arange(0f, (float) h.getShape().get(1), 1f, maskF.getDataType())
            .reshape(1, h.getShape().get(1));
        NDArray oneHot = positions.eq(last).toType(h.getDataType(), false);
        yield h.mul(oneHot.expandDims(2)).sum(new int[] {1});
      }
    };
    return normalize ? l2normalize(e) : e;
  }

  /** Per-token sparse weights B×L: ReLU(sparse_linear(h)). */
  public static NDArray sparseWeights(NDArray h, Map<String, NDArray> p) {
    return Activation.relu(Encoder.linear(h, p, "sparse_linear")).squeeze(-1);
  }

  /** ColBERT vectors B×(L−1)×D: colbert_linear(h[:,1:]) × mask[:,1:], then L2-normalised (a zero vector stays 0). */
  public static NDArray colbert(NDArray h, NDArray maskF, Map<String, NDArray> p, boolean normalize) {
    NDArray v = Encoder.linear(h.get(new NDIndex(":, 1:, :")), p, "colbert_linear");
    v = v.mul(maskF.get(new NDIndex(":, 1:")).expandDims(2));
    return normalize ? l2normalize(v) : v;
  }

  /** x / max(‖x‖₂, 1e-12) along the last axis. */
  public static NDArray l2normalize(NDArray x) {
    return x.div(Scalars.atLeast(x.norm(new int[] {-1}, true), NORM_EPS));
  }

  /**
   * FlagEmbedding's {@code _process_token_weights}: max weight per id, special ids dropped, only weights > 0 kept,
   * ids in order of first (kept) occurrence.
   */
  public static Map<Integer, Float> sparseMap(float[] weights, int[] ids, int length, int[] specialIds) {
    Map<Integer, Float> out = new LinkedHashMap<>();
    for (int i = 0; i < length; i++) {
      int id = ids[i];
      float w = weights[i];
      if (w <= 0f || contains(specialIds, id)) {
        continue;
      }
      Float prev = out.get(id);
      if (prev == null || w > prev) {
        out.put(id, w);
      }
    }
    return out;
  }

  static NDArray asFloat32(NDArray a) {
    return a.getDataType() == DataType.FLOAT32 ? a : a.toType(DataType.FLOAT32, false);
  }

  private static boolean contains(int[] a, int v) {
    for (int x : a) {
      if (x == v) {
        return true;
      }
    }
    return false;
  }
}
