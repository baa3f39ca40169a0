package io.m3spark.jobs.evaluate;

import io.m3spark.eval.EvaluationResult;
import java.util.Locale;
import java.util.Map;

/**
 * What one {@code m3spark evaluate} run did: the metrics of every result row (model × mode) and split, how many texts
 * it embedded (0 when every result came from a valid cache), wall time per stage, and the aggregate report written.
 */
public record EvaluateResult(Map<String, Map<String, EvaluationResult>> results, long passagesEmbedded,
    long queriesEmbedded, Map<String, Double> stageSeconds, String report) {

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    results.forEach((row, bySplit) -> bySplit.forEach((split, r) -> sb.append(String.format(Locale.ROOT,
        "%s %s: %s (%d queries evaluated, %d without qrels, %d qrels queries not searched, %d without relevant)%n",
        row, split, r.rounded(), r.counts().evaluated(), r.counts().runQueriesWithoutQrels(),
        r.counts().qrelsQueriesNotInRun(), r.counts().withoutRelevant()))));
    sb.append(String.format(Locale.ROOT, "embedded %d passages and %d queries; stages %s; report %s",
        passagesEmbedded, queriesEmbedded, stageSeconds, report));
    return sb.toString();
  }
}
