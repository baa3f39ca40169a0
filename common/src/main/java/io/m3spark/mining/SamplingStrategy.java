package io.m3spark.mining;

/** How negatives are chosen when more candidates survive the filters than are needed. */
public enum SamplingStrategy {
  /** A uniform sample without replacement, in random order: FlagEmbedding's {@code random.sample}. */
  RANDOM,
  /** The best-ranked survivors, in rank order: sentence-transformers' {@code sampling_strategy="top"}. */
  TOP
}
