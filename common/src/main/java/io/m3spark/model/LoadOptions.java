package io.m3spark.model;

import ai.djl.Device;

/**
 * How {@link M3Model#load} loads a model. {@code fp16} is honoured on GPU only (on CPU a warning is logged and fp32
 * is used, as FlagEmbedding does). {@code initNewHeads}: when colbert_linear.pt / sparse_linear.pt are missing,
 * initialise the heads like {@code torch.nn.Linear} (fixed seed) instead of failing. {@code colbertDim}: −1 = hidden
 * size. Dropout overrides: null = the config's values (used only when the forward pass runs in training mode).
 */
public record LoadOptions(Device device, boolean fp16, boolean initNewHeads, int colbertDim, Float hiddenDropout,
    Float attentionDropout) {

  public LoadOptions {
    if (device == null) {
      device = Device.cpu();
    }
    if (colbertDim == 0 || colbertDim < -1) {
      throw new IllegalArgumentException("colbertDim must be -1 (hidden size) or positive, got " + colbertDim);
    }
    checkRate("hiddenDropout", hiddenDropout);
    checkRate("attentionDropout", attentionDropout);
  }

  private static void checkRate(String name, Float r) {
    if (r != null && !(r >= 0f && r < 1f)) {
      throw new IllegalArgumentException(name + " must be in [0, 1), got " + r);
    }
  }

  /** CPU, fp32, heads required, colbert dim = hidden, config dropout. */
  public static LoadOptions defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder().device(device).fp16(fp16).initNewHeads(initNewHeads).colbertDim(colbertDim)
        .hiddenDropout(hiddenDropout).attentionDropout(attentionDropout);
  }

  public static final class Builder {
    private Device device = Device.cpu();
    private boolean fp16;
    private boolean initNewHeads;
    private int colbertDim = -1;
    private Float hiddenDropout;
    private Float attentionDropout;

    public Builder device(Device v) {
      device = v;
      return this;
    }

    public Builder fp16(boolean v) {
      fp16 = v;
      return this;
    }

    public Builder initNewHeads(boolean v) {
      initNewHeads = v;
      return this;
    }

    public Builder colbertDim(int v) {
      colbertDim = v;
      return this;
    }

    public Builder hiddenDropout(Float v) {
      hiddenDropout = v;
      return this;
    }

    public Builder attentionDropout(Float v) {
      attentionDropout = v;
      return this;
    }

    public LoadOptions build() {
      return new LoadOptions(device, fp16, initNewHeads, colbertDim, hiddenDropout, attentionDropout);
    }
  }
}
