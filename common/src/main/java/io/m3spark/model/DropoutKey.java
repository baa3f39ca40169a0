package io.m3spark.model;

/**
 * Names the dropout masks of a training batch: {@code streamSeed} identifies the stream (run seed, step, rank-independent
 * purpose such as "queries" or "passages"), {@code firstRow} is the global index of the batch's first row. The mask of
 * row r at a given layer and site depends only on (streamSeed, firstRow + r, layer, site), so a batch split into
 * sub-batches, a layer recomputed for activation checkpointing, or rows encoded on another rank or thread get the same
 * masks. Where a method takes a key, {@code null} means no dropout.
 */
public record DropoutKey(long streamSeed, long firstRow) {

  public DropoutKey {
    if (firstRow < 0) {
      throw new IllegalArgumentException("firstRow must be >= 0, got " + firstRow);
    }
  }

  /** The key of the rows that start {@code offset} rows into this batch. */
  public DropoutKey rows(long offset) {
    return new DropoutKey(streamSeed, firstRow + offset);
  }

  /** Seed of one row's mask at one layer (−1: embeddings) and dropout site; well mixed so nearby keys are unrelated. */
  long rowSeed(long row, int layer, int site) {
    long h = mix(streamSeed ^ 0x6A09E667F3BCC909L);
    h = mix(h ^ (firstRow + row));
    h = mix(h ^ layer);
    return mix(h ^ site);
  }

  /** SplitMix64's finaliser (a bijection on 64 bits). */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
