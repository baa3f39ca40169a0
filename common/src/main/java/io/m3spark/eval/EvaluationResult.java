package io.m3spark.eval;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The averages of one evaluation, keyed {@code <metric>_at_<k>} in FlagEmbedding's order, with the query counts.
 * Values are kept at full precision; {@link #rounded()} gives the 5-decimal values reports show.
 */
public record EvaluationResult(Map<String, Double> metrics, QueryCounts counts) {
  public EvaluationResult {
    metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
  }

  /** The averages rounded to 5 decimals, as FlagEmbedding writes them. */
  public Map<String, Double> rounded() {
    Map<String, Double> m = new LinkedHashMap<>();
    metrics.forEach((k, v) -> m.put(k, Rounding.round5(v)));
    return m;
  }
}
