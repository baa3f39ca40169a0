package io.m3spark.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.m3spark.model.Encoder;
import io.m3spark.model.M3Heads;
import io.m3spark.model.Pooling;
import io.m3spark.text.TokenBatch;
import java.util.Map;

/**
 * The three BGE-M3 representations of one padded batch, kept as differentiable NDArrays for training
 * (flagembedding-behaviour.md §3.2, §4.5): normalised CLS dense vectors B×H, per-token sparse weights B×L
 * (ReLU(sparse_linear(h))) with their token ids, and normalised ColBERT vectors B×(L−1)×D (padded positions are zero).
 */
public record EncodedBatch(NDArray dense, NDArray tokenWeights, NDArray colbert, TokenBatch tokens) {

  /** Runs the encoder in training mode (out-of-place ops, dropout as configured) and the three heads. */
  public static EncodedBatch encode(Encoder encoder, Map<String, NDArray> params, TokenBatch tokens, NDManager manager) {
    Shape shape = new Shape(tokens.batchSize(), tokens.width());
    NDArray ids = manager.create(flatten(tokens.ids()), shape).toType(DataType.INT64, false);
    NDArray mask = manager.create(flatten(tokens.attentionMask()), shape);
    NDArray h = encoder.forward(params, ids, mask, true);
    // the mask is a constant: casting it does not touch the autograd graph of h
    NDArray maskF = mask.toType(h.getDataType(), false);
    return new EncodedBatch(M3Heads.dense(h, maskF, Pooling.CLS, true), M3Heads.sparseWeights(h, params),
        M3Heads.colbert(h, maskF, params, true), tokens);
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
