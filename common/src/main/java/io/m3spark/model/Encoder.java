package io.m3spark.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The XLM-RoBERTa / BERT encoder (embeddings + transformer layers, post-LayerNorm, as Hugging Face's
 * {@code XLMRobertaModel}/{@code BertModel} without pooler) as a <em>functional</em> forward pass over a map of named
 * parameters (Hugging Face names without the {@code roberta.}/{@code bert.} prefix). Holding no state, it is safe to
 * call from several threads; training can pass parameters that carry gradients, and {@link #trainingLayer} can be
 * recomputed per layer for activation checkpointing. Training-mode dropout is keyed ({@link DropoutKey}): the same key
 * gives the same masks, however the rows are split or recomputed.
 *
 * <p>Memory: every result is attached to the manager of the input ids / hidden states (never to the parameters'
 * manager), so closing the caller's sub-manager frees the whole batch.
 */
public final class Encoder {
  private final ModelConfig config;
  private final float hiddenDropout;
  private final float attentionDropout;

  public Encoder(ModelConfig config, float hiddenDropout, float attentionDropout) {
    this.config = config;
    this.hiddenDropout = hiddenDropout;
    this.attentionDropout = attentionDropout;
  }

  public ModelConfig config() {
    return config;
  }

  public float hiddenDropout() {
    return hiddenDropout;
  }

  public float attentionDropout() {
    return attentionDropout;
  }

  /** Every parameter the forward pass needs, with its shape, in Hugging Face's order. */
  public static Map<String, long[]> expectedShapes(ModelConfig c) {
    long h = c.hiddenSize();
    long f = c.intermediateSize();
    Map<String, long[]> m = new LinkedHashMap<>();
    m.put("embeddings.word_embeddings.weight", new long[] {c.vocabSize(), h});
    m.put("embeddings.position_embeddings.weight", new long[] {c.maxPositionEmbeddings(), h});
    m.put("embeddings.token_type_embeddings.weight", new long[] {c.typeVocabSize(), h});
    m.put("embeddings.LayerNorm.weight", new long[] {h});
    m.put("embeddings.LayerNorm.bias", new long[] {h});
    for (int i = 0; i < c.numHiddenLayers(); i++) {
      String p = "encoder.layer." + i + ".";
      for (String qkv : new String[] {"query", "key", "value"}) {
        m.put(p + "attention.self." + qkv + ".weight", new long[] {h, h});
        m.put(p + "attention.self." + qkv + ".bias", new long[] {h});
      }
      m.put(p + "attention.output.dense.weight", new long[] {h, h});
      m.put(p + "attention.output.dense.bias", new long[] {h});
      m.put(p + "attention.output.LayerNorm.weight", new long[] {h});
      m.put(p + "attention.output.LayerNorm.bias", new long[] {h});
      m.put(p + "intermediate.dense.weight", new long[] {f, h});
      m.put(p + "intermediate.dense.bias", new long[] {f});
      m.put(p + "output.dense.weight", new long[] {h, f});
      m.put(p + "output.dense.bias", new long[] {h});
      m.put(p + "output.LayerNorm.weight", new long[] {h});
      m.put(p + "output.LayerNorm.bias", new long[] {h});
    }
    return m;
  }

  /**
   * Last hidden state B×L×H for inference: no dropout, in-place operations, each layer's intermediates freed as soon
   * as the layer is done.
   *
   * @param ids int64 B×L token ids (right-padded)
   * @param mask B×L attention mask (1 = real token), any numeric type
   */
  public NDArray forward(Map<String, NDArray> p, NDArray ids, NDArray mask) {
    NDArray x = embeddings(p, ids, null);
    NDArray bias = attentionBias(mask, x.getDataType());
    NDManager batch = ids.getManager();
    for (int i = 0; i < config.numHiddenLayers(); i++) {
      // the attention scores alone are B×heads×L×L: a batch holds one layer's worth of memory instead of every layer's
      try (NDManager scope = batch.newSubManager()) {
        x.attach(scope);
        NDArray next = layer(p, i, x, bias, false, null);
        next.attach(batch);
        x = next;
      }
    }
    return x;
  }

  /**
   * Last hidden state B×L×H for training: out-of-place operations (differentiable), dropout keyed by {@code key}
   * ({@code null}: no dropout).
   */
  public NDArray trainingForward(Map<String, NDArray> p, NDArray ids, NDArray mask, DropoutKey key) {
    NDArray x = embeddings(p, ids, key);
    NDArray bias = attentionBias(mask, x.getDataType());
    for (int i = 0; i < config.numHiddenLayers(); i++) {
      x = trainingLayer(p, i, x, bias, key);
    }
    return x;
  }

  /** Position ids: XLM-R {@code cumsum(ids != pad) * (ids != pad) + pad}; BERT 0..L−1. */
  public NDArray positionIds(NDArray ids) {
    NDManager m = ids.getManager();
    if (config.family() == ModelConfig.Family.BERT) {
      long len = ids.getShape().get(1);
      return m.arange(0, (int) len, 1, DataType.INT64).reshape(1, len).broadcast(ids.getShape());
    }
    long pad = config.padTokenId();
    NDArray notPad = ids.neq(pad).toType(DataType.INT64, false);
    return notPad.cumSum(1).mul(notPad).add(pad);
  }

  /** word + position + token-type(0) embeddings, LayerNorm, keyed dropout ({@code null}: none, as in inference). */
  public NDArray embeddings(Map<String, NDArray> p, NDArray ids, DropoutKey key) {
    long len = ids.getShape().get(1);
    if (config.family() == ModelConfig.Family.XLM_ROBERTA ? len > config.maxInputLength() : len > config.maxPositionEmbeddings()) {
      throw new IllegalArgumentException("input of " + len + " tokens is longer than the model's position table allows ("
          + config.maxInputLength() + ")");
    }
    NDArray words = ai.djl.nn.core.Embedding.embedding(ids, p.get("embeddings.word_embeddings.weight"), SparseFormat.DENSE).get(0);
    NDArray pos = ai.djl.nn.core.Embedding.embedding(positionIds(ids), p.get("embeddings.position_embeddings.weight"), SparseFormat.DENSE)
        .get(0);
    NDArray typeIds = ids.getManager().zeros(ids.getShape(), DataType.INT64);
    NDArray types = ai.djl.nn.core.Embedding.embedding(typeIds, p.get("embeddings.token_type_embeddings.weight"), SparseFormat.DENSE)
        .get(0);
    NDArray x = words.add(pos).add(types);
    x = layerNorm(x, p, "embeddings.LayerNorm");
    return KeyedDropout.apply(x, hiddenDropout, key, -1, KeyedDropout.HIDDEN);
  }

  /** Additive attention bias B×1×1×L: 0 at real keys, the dtype's most negative value at padded keys. */
  public NDArray attentionBias(NDArray mask, DataType dtype) {
    Shape s = mask.getShape();
    float min = dtype == DataType.FLOAT16 ? -65504f : -Float.MAX_VALUE;
    return mask.toType(dtype, false).neg().add(1f).mul(min).reshape(s.get(0), 1, 1, s.get(1));
  }

  /**
   * Transformer layer i (self-attention + FFN, each with residual and post-LayerNorm) in training mode, with keyed
   * dropout ({@code null}: none); x's rows are the key's rows.
   */
  public NDArray trainingLayer(Map<String, NDArray> p, int i, NDArray x, NDArray attentionBias, DropoutKey key) {
    return layer(p, i, x, attentionBias, true, key);
  }

  private NDArray layer(Map<String, NDArray> p, int i, NDArray x, NDArray attentionBias, boolean training,
      DropoutKey key) {
    String pre = "encoder.layer." + i + ".";
    long b = x.getShape().get(0);
    long len = x.getShape().get(1);
    int heads = config.numAttentionHeads();
    long hd = config.hiddenSize() / heads;

    NDArray q = heads(linear(x, p, pre + "attention.self.query"), b, len, heads, hd);
    NDArray k = heads(linear(x, p, pre + "attention.self.key"), b, len, heads, hd);
    NDArray v = heads(linear(x, p, pre + "attention.self.value"), b, len, heads, hd);
    // Scaling q (B×L×H) rather than the scores (B×heads×L×L) touches far less memory at long lengths; in inference the
    // bias is added in place for the same reason (autograd would need the out-of-place form).
    NDArray scaled = Scalars.dividedBy(q, Math.sqrt(hd));
    NDArray raw = scaled.matMul(k.transpose(0, 1, 3, 2));
    NDArray scores = training ? raw.add(attentionBias) : raw.addi(attentionBias);
    NDArray probs = KeyedDropout.apply(scores.softmax(-1), attentionDropout, key, i, KeyedDropout.ATTENTION_PROBS);
    NDArray ctx = probs.matMul(v).transpose(0, 2, 1, 3).reshape(b, len, config.hiddenSize());

    NDArray attnOut = KeyedDropout.apply(linear(ctx, p, pre + "attention.output.dense"), hiddenDropout, key, i,
        KeyedDropout.ATTENTION_OUTPUT);
    NDArray h1 = layerNorm(residual(attnOut, x, training), p, pre + "attention.output.LayerNorm");

    NDArray inter = activation(linear(h1, p, pre + "intermediate.dense"));
    NDArray out = KeyedDropout.apply(linear(inter, p, pre + "output.dense"), hiddenDropout, key, i,
        KeyedDropout.FFN_OUTPUT);
    return layerNorm(residual(out, h1, training), p, pre + "output.LayerNorm");
  }

  /** {@code branch + skip}; in place during inference, where nothing else reads the branch output. */
  private static NDArray residual(NDArray branch, NDArray skip, boolean training) {
    return training ? branch.add(skip) : branch.addi(skip);
  }

  private static NDArray heads(NDArray t, long b, long len, int heads, long hd) {
    return t.reshape(b, len, heads, hd).transpose(0, 2, 1, 3);
  }

  private NDArray activation(NDArray x) {
    return switch (config.activation()) {
      case GELU_ERF -> Activation.gelu(x);
      case RELU -> Activation.relu(x);
      case GELU_TANH -> {
        // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
        NDArray inner = Scalars.times(Scalars.times(x.mul(x).mul(x), 0.044715).add(x), Math.sqrt(2.0 / Math.PI));
        yield Scalars.times(inner.tanh().add(1f).mul(x), 0.5);
      }
    };
  }

  static NDArray linear(NDArray x, Map<String, NDArray> p, String name) {
    return Linear.linear(x, param(p, name + ".weight"), param(p, name + ".bias")).get(0);
  }

  private NDArray layerNorm(NDArray x, Map<String, NDArray> p, String name) {
    return LayerNorm.layerNorm(x, new Shape(config.hiddenSize()), param(p, name + ".weight"), param(p, name + ".bias"),
        config.layerNormEps()).get(0);
  }

  static NDArray param(Map<String, NDArray> p, String name) {
    NDArray a = p.get(name);
    if (a == null) {
      throw new IllegalArgumentException("no parameter named '" + name + "'");
    }
    return a;
  }
}
