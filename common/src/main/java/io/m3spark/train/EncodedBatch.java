package io.m3spark.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
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

  /** Runs the encoder in training mode without dropout (the plain, fully recorded graph) and the three heads. */
  public static EncodedBatch encode(Encoder encoder, Map<String, NDArray> params, TokenBatch tokens, NDManager manager) {
    return of(new EncoderPass(encoder, params, 0, false).forward(tokens, null, manager), tokens, params);
  }

  /**
   * The three heads over given last hidden states B×L×H (from {@link EncoderPass#forward}); gradients flow back into
   * {@code hidden} and the head parameters.
   */
  public static EncodedBatch of(NDArray hidden, TokenBatch tokens, Map<String, NDArray> params) {
    // the mask is a constant: casting it does not touch the autograd graph of hidden
    NDArray mask = TokenTensors.of(tokens, hidden.getManager()).mask();
    NDArray maskF = mask.toType(hidden.getDataType(), false);
    // ColBERT vectors are multiplied by a float32 mask, as FlagEmbedding's `* mask.float()`: in an fp16 model this
    // promotes them to float32, so the normalisation of padded (zero) vectors does not divide 0 by an eps that fp16
    // rounds to 0
    NDArray mask32 = mask.toType(DataType.FLOAT32, false);
    return new EncodedBatch(M3Heads.dense(hidden, maskF, Pooling.CLS, true), M3Heads.sparseWeights(hidden, params),
        M3Heads.colbert(hidden, mask32, params, true), tokens);
  }
}
