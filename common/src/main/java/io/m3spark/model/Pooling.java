package io.m3spark.model;

/** How the dense vector is taken from the last hidden state (FlagEmbedding's {@code sentence_pooling_method}). */
public enum Pooling {
  /** The first token ({@code <s>} / {@code [CLS]}): BGE-M3's choice. */
  CLS,
  /** Masked mean over the real tokens. */
  MEAN,
  /** The last non-pad token. */
  LAST_TOKEN
}
