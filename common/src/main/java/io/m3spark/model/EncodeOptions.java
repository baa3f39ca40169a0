package io.m3spark.model;

/** What {@link M3Model#encode} / {@link M3Model#embed} compute. FlagEmbedding's inference defaults. */
public record EncodeOptions(int maxLength, boolean returnDense, boolean returnSparse, boolean returnColbert,
    Pooling pooling, boolean normalize) {

  public EncodeOptions {
    if (maxLength < 2) {
      throw new IllegalArgumentException("maxLength must be >= 2, got " + maxLength);
    }
    if (pooling == null) {
      throw new IllegalArgumentException("pooling must not be null");
    }
  }

  /** maxLength 512, dense only, CLS pooling, normalised. */
  public static EncodeOptions defaults() {
    return builder().build();
  }

  /** Dense, sparse and ColBERT at {@code maxLength}. */
  public static EncodeOptions all(int maxLength) {
    return builder().maxLength(maxLength).returnDense(true).returnSparse(true).returnColbert(true).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder().maxLength(maxLength).returnDense(returnDense).returnSparse(returnSparse)
        .returnColbert(returnColbert).pooling(pooling).normalize(normalize);
  }

  public EncodeOptions withMaxLength(int n) {
    return toBuilder().maxLength(n).build();
  }

  public static final class Builder {
    private int maxLength = 512;
    private boolean returnDense = true;
    private boolean returnSparse;
    private boolean returnColbert;
    private Pooling pooling = Pooling.CLS;
    private boolean normalize = true;

    public Builder maxLength(int v) {
      maxLength = v;
      return this;
    }

    public Builder returnDense(boolean v) {
      returnDense = v;
      return this;
    }

    public Builder returnSparse(boolean v) {
      returnSparse = v;
      return this;
    }

    public Builder returnColbert(boolean v) {
      returnColbert = v;
      return this;
    }

    public Builder pooling(Pooling v) {
      pooling = v;
      return this;
    }

    public Builder normalize(boolean v) {
      normalize = v;
      return this;
    }

    public EncodeOptions build() {
      return new EncodeOptions(maxLength, returnDense, returnSparse, returnColbert, pooling, normalize);
    }
  }
}
