package io.m3spark.jobs.eval;

/** FlagEmbedding's {@code eval_output_method}: the aggregate report's format. */
public enum OutputMethod {
  MARKDOWN,
  JSON
}
