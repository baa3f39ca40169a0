package io.m3spark.eval;

import java.io.IOException;

/** Receives each query's metrics as soon as it is scored, so per-query output needs no run-sized memory. */
public interface PerQueryListener {
  /** Does nothing with the results. */
  PerQueryListener NONE = q -> {};

  void accept(QueryMetrics query) throws IOException;

  /**
   * The run turned out not to be grouped by qid, and scoring starts over: forget every query accepted so far (they
   * may have been scored on part of their hits).
   */
  default void restart() throws IOException {}
}
