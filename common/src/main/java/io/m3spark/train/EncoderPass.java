package io.m3spark.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.m3spark.model.DropoutKey;
import io.m3spark.model.Encoder;
import io.m3spark.text.TokenBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The encoder's part of a training step, with the memory-saving backward passes of FlagEmbedding's
 * {@code --gradient_checkpointing} (activation checkpointing per layer) and {@code --sub_batch_size} (GradCache-style
 * sub-batches). In plain mode {@link #forward} returns the hidden states with the whole encoder graph recorded. In
 * deferred mode (either option on) it computes them without recording and returns them as a leaf that requires grad;
 * once the trainer has backpropagated its loss into that leaf, {@link #backward} recomputes the encoder with gradients
 * and backpropagates the leaf's gradient into the parameters:
 * <ul>
 *   <li>sub-batches only: the whole encoder per sub-batch (one sub-batch's graph alive at a time);
 *   <li>checkpointing only: the forward keeps each layer's input; the backward recomputes layer i, backpropagates
 *       the upstream gradient, i → i − 1, then the embeddings (one layer's graph alive at a time);
 *   <li>both: per sub-batch, a forward without recording keeps that sub-batch's layer inputs, then layer by layer as
 *       above (the least memory, one more encoder forward).
 * </ul>
 * Sub-batches are row ranges of the padded batch (same width) with their rows' dropout keys, so every mode computes
 * the same numbers as the plain one up to fp32 summation order. Gradient recording is set explicitly (it is per thread),
 * so a pass works on any thread. One pass serves one thread; call {@link #backward} before closing the managers
 * given to {@link #forward}.
 */
public final class EncoderPass {
  private final Encoder encoder;
  private final Map<String, NDArray> params;
  private final int subBatchSize;
  private final boolean checkpointing;
  private final List<Deferred> pending = new ArrayList<>();

  /** A deferred forward: the returned leaf, its inputs, and (checkpointing in one piece) each layer's input. */
  private record Deferred(NDArray hidden, TokenTensors tokens, DropoutKey key, List<NDArray> layerInputs) {}

  /**
   * @param subBatchSize rows per sub-batch; 0 = no sub-batches
   * @param checkpointing recompute each layer in the backward pass instead of keeping its graph
   */
  public EncoderPass(Encoder encoder, Map<String, NDArray> params, int subBatchSize, boolean checkpointing) {
    if (subBatchSize < 0) {
      throw new IllegalArgumentException("sub_batch_size must be >= 0 (0 = off), got " + subBatchSize);
    }
    this.encoder = encoder;
    this.params = params;
    this.subBatchSize = subBatchSize;
    this.checkpointing = checkpointing;
  }

  /** Whether {@link #forward} defers the encoder's backward pass to {@link #backward}. */
  public boolean deferred() {
    return subBatchSize > 0 || checkpointing;
  }

  /**
   * Last hidden states B×L×H in training mode, attached to {@code manager}, differentiable by the heads and losses.
   *
   * @param key dropout key of the batch's rows; {@code null}: no dropout
   */
  public NDArray forward(TokenBatch tokens, DropoutKey key, NDManager manager) {
    TokenTensors t = TokenTensors.of(tokens, manager);
    if (!deferred()) {
      return GradMode.with(true, () -> encoder.trainingForward(params, t.ids(), t.mask(), key));
    }
    long rows = tokens.batchSize();
    boolean keepInputs = checkpointing && chunk(rows) >= rows;
    List<NDArray> inputs = keepInputs ? new ArrayList<>() : null;
    NDArray hidden = GradMode.with(false, () -> {
      List<NDArray> parts = new ArrayList<>();
      for (long s = 0; s < rows; s += chunk(rows)) {
        parts.add(unrecorded(slice(t, s, rows), rowKey(key, s), inputs, manager));
      }
      return parts.size() == 1 ? parts.get(0) : concatAndClose(parts);
    });
    hidden.setRequiresGradient(true);
    pending.add(new Deferred(hidden, t, key, inputs));
    return hidden;
  }

  /**
   * Backpropagates every deferred forward's hidden-state gradient through the encoder into the parameters' gradients
   * (accumulating, like any backward pass). Call after the loss's backward pass; a no-op in plain mode.
   */
  public void backward() {
    try {
      GradMode.with(true, () -> {
        for (int d = pending.size() - 1; d >= 0; d--) {
          backward(pending.get(d));
        }
        return null;
      });
    } finally {
      pending.clear();
    }
  }

  private void backward(Deferred d) {
    NDManager manager = d.hidden().getManager();
    long rows = d.hidden().getShape().get(0);
    if (!d.hidden().hasGradient()) {
      throw new IllegalStateException("the hidden states have no gradient: call backward() after the loss's backward");
    }
    try (NDManager scope = manager.newSubManager()) {
      NDArray grad = d.hidden().getGradient();
      grad.attach(scope);
      for (long s = 0; s < rows; s += chunk(rows)) {
        long start = s;
        try (NDManager chunkScope = scope.newSubManager()) {
          long e = Math.min(rows, s + chunk(rows));
          TokenTensors t = slice(d.tokens(), s, rows);
          t.ids().attach(chunkScope);
          t.mask().attach(chunkScope);
          NDArray g = grad.get(new NDIndex("{}:{}", s, e));
          g.attach(chunkScope);
          DropoutKey key = rowKey(d.key(), s);
          if (checkpointing) {
            List<NDArray> inputs = d.layerInputs();
            if (inputs == null) {
              List<NDArray> recomputed = new ArrayList<>();
              GradMode.with(false, () -> unrecorded(slice(d.tokens(), start, rows), key, recomputed, chunkScope)).close();
              inputs = recomputed;
            }
            layerByLayer(t, key, inputs, g, chunkScope);
          } else {
            propagate(encoder.trainingForward(params, t.ids(), t.mask(), key), g);
          }
        }
      }
    }
  }

  /** Recomputes layers n−1 … 0 from their inputs (freeing each), then the embeddings, carrying the gradient down. */
  private void layerByLayer(TokenTensors t, DropoutKey key, List<NDArray> inputs, NDArray upstream, NDManager scope) {
    NDArray g = upstream;
    NDArray bias = encoder.attentionBias(t.mask(), upstream.getDataType());
    bias.attach(scope);
    for (int i = inputs.size() - 1; i >= 0; i--) {
      try (NDManager layerScope = scope.newSubManager()) {
        NDArray x = inputs.get(i);
        x.attach(layerScope);
        g.attach(layerScope);
        x.setRequiresGradient(true);
        propagate(encoder.trainingLayer(params, i, x, bias, key), g);
        g = x.getGradient();
        g.attach(scope);
      }
    }
    propagate(encoder.embeddings(params, t.ids(), key), g);
  }

  /**
   * Hidden states of some rows, attached to {@code out}, nothing recorded, each layer's intermediates freed as soon as
   * the layer is done; adds each layer's input to {@code layerInputs} (attached to {@code out}) unless it is null.
   * Closes {@code t} (pass a fresh {@link #slice}).
   */
  private NDArray unrecorded(TokenTensors t, DropoutKey key, List<NDArray> layerInputs, NDManager out) {
    NDArray x;
    NDArray bias;
    try (NDManager scope = out.newSubManager()) {
      // results live in their first operand's manager: the ids' here, the layer input's below
      t.ids().attach(scope);
      t.mask().attach(scope);
      x = encoder.embeddings(params, t.ids(), key);
      bias = encoder.attentionBias(t.mask(), x.getDataType());
      x.attach(out);
      bias.attach(out);
    }
    for (int i = 0; i < encoder.config().numHiddenLayers(); i++) {
      try (NDManager scope = out.newSubManager()) {
        x.attach(scope);
        NDArray next = encoder.trainingLayer(params, i, x, bias, key);
        next.attach(out);
        if (layerInputs != null) {
          layerInputs.add(x);
          x.attach(out);
        }
        x = next;
      }
    }
    bias.close();
    return x;
  }

  private static void propagate(NDArray output, NDArray upstream) {
    JniUtils.backward((PtNDArray) output, (PtNDArray) upstream, false, false);
  }

  private long chunk(long rows) {
    return subBatchSize > 0 ? subBatchSize : Math.max(rows, 1);
  }

  /** Rows [start, start + chunk) as new handles (views), so callers may attach them to their own scopes. */
  private TokenTensors slice(TokenTensors t, long start, long rows) {
    NDIndex range = new NDIndex("{}:{}", start, Math.min(rows, start + chunk(rows)));
    return new TokenTensors(t.ids().get(range), t.mask().get(range));
  }

  private static DropoutKey rowKey(DropoutKey key, long offset) {
    return key == null ? null : key.rows(offset);
  }

  private static NDArray concatAndClose(List<NDArray> parts) {
    NDList list = new NDList(parts);
    NDArray all = NDArrays.concat(list, 0);
    list.close();
    return all;
  }
}
