package io.m3spark.mining;

/**
 * Why a candidate in the sampling range was not kept. A candidate is counted under the first rule, in this order,
 * that rejects it.
 */
public enum FilterRule {
  /** Its text equals one of the record's positives (exact string equality, as FlagEmbedding). */
  IS_POSITIVE("is a positive"),
  /** Its text equals the raw query (no instruction), as FlagEmbedding. */
  IS_QUERY("is the query"),
  /** Its text repeats a better-ranked candidate (a corpus with duplicate texts); never two equal negatives. */
  DUPLICATE("duplicate text"),
  /** Score above {@code max_score}. */
  MAX_SCORE("above max_score"),
  /** Score below {@code min_score}. */
  MIN_SCORE("below min_score"),
  /** Score above (lowest positive score − absolute_margin). */
  ABSOLUTE_MARGIN("absolute margin"),
  /** Score above (1 − relative_margin) × lowest positive score (NV-Retriever's TopK-PercPos). */
  RELATIVE_MARGIN("relative margin");

  private final String label;

  FilterRule(String label) {
    this.label = label;
  }

  /** A short human label for reports. */
  public String label() {
    return label;
  }
}
