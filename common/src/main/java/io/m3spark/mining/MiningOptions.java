package io.m3spark.mining;

import java.io.Serializable;

/**
 * How negatives are sampled from a query's ranked search hits. Defaults are FlagEmbedding's ({@code 10-210}, 15
 * negatives, random sampling, no score filters); the filters are sentence-transformers' {@code mine_hard_negatives}
 * options. Build with {@link #builder()}.
 *
 * <p>No FlagEmbedding-parity switch: with the filters off, the sampler follows hn_mine's steps (range, exact-text
 * exclusion, {@code random.sample}, top-up appended). It differs only where FlagEmbedding is defective — a seeded RNG,
 * and top-ups that are never the query, a duplicate, a top-a hit or a rejected candidate (#464) — and Python's
 * unseeded {@code random} could not be reproduced bit for bit anyway, so a switch would buy no parity.
 *
 * @param rangeStart a: first 0-based rank position sampled (hits ranked above it are skipped as likely false negatives)
 * @param rangeEnd b: end (exclusive) of the sampled positions, and K, the number of hits to search for
 * @param negativeNumber negatives per record
 * @param seed seed of every record's generator (see {@link RecordRandom})
 * @param samplingStrategy RANDOM (FlagEmbedding) or TOP
 * @param relativeMargin null, or m: drop candidates scoring above (1 − m) × the lowest positive score
 * @param absoluteMargin null, or m: drop candidates scoring above the lowest positive score − m
 * @param maxScore null, or drop candidates scoring above it
 * @param minScore null, or drop candidates scoring below it
 * @param addScores write dense {@code pos_scores}/{@code neg_scores} into the output records
 */
public record MiningOptions(
    int rangeStart,
    int rangeEnd,
    int negativeNumber,
    long seed,
    SamplingStrategy samplingStrategy,
    Float relativeMargin,
    Float absoluteMargin,
    Float maxScore,
    Float minScore,
    boolean addScores)
    implements Serializable {

  public MiningOptions {
    if (rangeStart < 0 || rangeStart >= rangeEnd) {
      throw new IllegalArgumentException(
          "range_for_sampling must be a-b with 0 <= a < b, got " + rangeStart + "-" + rangeEnd);
    }
    if (negativeNumber < 1) {
      throw new IllegalArgumentException("negative_number must be at least 1, got " + negativeNumber);
    }
    if (samplingStrategy == null) {
      throw new IllegalArgumentException("sampling_strategy is required");
    }
    if (relativeMargin != null && !(relativeMargin >= 0 && relativeMargin < 1)) {
      throw new IllegalArgumentException("relative_margin must be in [0, 1), got " + relativeMargin);
    }
    if (absoluteMargin != null && !(absoluteMargin >= 0)) {
      throw new IllegalArgumentException("absolute_margin must be >= 0, got " + absoluteMargin);
    }
    if (maxScore != null && minScore != null && !(minScore <= maxScore)) {
      throw new IllegalArgumentException("min_score " + minScore + " is above max_score " + maxScore);
    }
  }

  /** FlagEmbedding's defaults: range 10-210, 15 negatives, seed 42, random sampling, no filters, no scores. */
  public static Builder builder() {
    return new Builder();
  }

  /** K: how many hits per query the search must return. */
  public int topK() {
    return rangeEnd;
  }

  /** Whether a filter needs the positives' scores. */
  public boolean usesPositiveScores() {
    return relativeMargin != null || absoluteMargin != null;
  }

  /** {@code "a-b"}, as written on the command line. */
  public String range() {
    return rangeStart + "-" + rangeEnd;
  }

  /** Parses FlagEmbedding's {@code range_for_sampling} ("10-210") into {a, b}. */
  public static int[] parseRange(String range) {
    String[] parts = range == null ? new String[0] : range.trim().split("-");
    if (parts.length != 2) {
      throw new IllegalArgumentException("range_for_sampling must look like 10-210, got '" + range + "'");
    }
    try {
      return new int[] {Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim())};
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("range_for_sampling must look like 10-210, got '" + range + "'");
    }
  }

  /** Mutable builder; {@link #build()} validates. */
  public static final class Builder {
    private int rangeStart = 10;
    private int rangeEnd = 210;
    private int negativeNumber = 15;
    private long seed = 42;
    private SamplingStrategy samplingStrategy = SamplingStrategy.RANDOM;
    private Float relativeMargin;
    private Float absoluteMargin;
    private Float maxScore;
    private Float minScore;
    private boolean addScores;

    private Builder() {}

    /** {@code "10-210"}. */
    public Builder range(String range) {
      int[] ab = parseRange(range);
      return range(ab[0], ab[1]);
    }

    public Builder range(int start, int end) {
      this.rangeStart = start;
      this.rangeEnd = end;
      return this;
    }

    public Builder negativeNumber(int n) {
      this.negativeNumber = n;
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public Builder samplingStrategy(SamplingStrategy s) {
      this.samplingStrategy = s;
      return this;
    }

    public Builder relativeMargin(Float m) {
      this.relativeMargin = m;
      return this;
    }

    public Builder absoluteMargin(Float m) {
      this.absoluteMargin = m;
      return this;
    }

    public Builder maxScore(Float s) {
      this.maxScore = s;
      return this;
    }

    public Builder minScore(Float s) {
      this.minScore = s;
      return this;
    }

    public Builder addScores(boolean add) {
      this.addScores = add;
      return this;
    }

    public MiningOptions build() {
      return new MiningOptions(rangeStart, rangeEnd, negativeNumber, seed, samplingStrategy, relativeMargin,
          absoluteMargin, maxScore, minScore, addScores);
    }
  }
}
