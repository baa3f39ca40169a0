package io.m3spark.search;

/**
 * How a score takes part in any ranking of m3spark (search, merge, rerank, evaluation): NaN counts as
 * {@link Float#NEGATIVE_INFINITY}, so a document whose score is not a number ranks last instead of first. Java's
 * {@link Float#compare} puts NaN above every number, and {@code <}/{@code >} make it tie with everything, which breaks
 * the sort's contract; a single NaN vector in a corpus would otherwise be the top hit of every query.
 */
public final class ScoreOrder {
  private ScoreOrder() {}

  /** The value to rank {@code score} by. */
  public static float rankable(float score) {
    return Float.isNaN(score) ? Float.NEGATIVE_INFINITY : score;
  }

  /** The value to rank {@code score} by. */
  public static double rankable(double score) {
    return Double.isNaN(score) ? Double.NEGATIVE_INFINITY : score;
  }
}
