package io.m3spark.jobs.prepare;

/** What must stay on one side of a train/test split. */
public enum GroupBy {
  /** Records with the same query text. Leaks whenever questions share a passage (KorQuAD: ~6 per paragraph). */
  QUERY,
  /**
   * Records connected through shared positive texts (union-find: records A and B share a positive, B and C share
   * another, so A, B and C stay together). No test positive is ever a train positive.
   */
  POSITIVE
}
