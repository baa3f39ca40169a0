package io.m3spark.jobs.eval;

import io.m3spark.eval.EvaluationResult;
import io.m3spark.eval.QueryCounts;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code eval-run} did: the evaluation, the metrics asked for and the files written. Its text form is the summary
 * the command prints: a small table and the query counts, so skipped and unjudged queries are never silent.
 */
public record EvalRunSummary(EvaluationResult result, List<String> evalMetrics, boolean completeQueries,
    List<String> written) {
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    int width = evalMetrics.stream().mapToInt(String::length).max().orElse(6) + 2;
    sb.append(String.format(Locale.ROOT, "%-" + width + "s%s%n", "metric", "value"));
    Map<String, Double> values = result.rounded();
    for (String m : evalMetrics) {
      Double v = values.get(m);
      sb.append(String.format(Locale.ROOT, "%-" + width + "s%s%n", m,
          v == null ? "-  (k not in --k_values)" : String.format(Locale.ROOT, "%.5f", v)));
    }
    QueryCounts c = result.counts();
    sb.append(String.format(Locale.ROOT,
        "queries: %d in qrels, %d evaluated, averaged over %d%n"
            + "  %d run queries without qrels: skipped%n"
            + "  %d qrels queries not in the run: %s%n"
            + "  %d averaged queries without a relevant document: scored 0 (nDCG may use lower grades)%n",
        c.qrelsQueries(), c.evaluated(), c.averagedOver(), c.runQueriesWithoutQrels(), c.qrelsQueriesNotInRun(),
        completeQueries ? "scored 0 and averaged (--complete_queries)" : "left out of the average",
        c.withoutRelevant()));
    for (String w : written) {
      sb.append("wrote ").append(w).append('\n');
    }
    sb.setLength(sb.length() - 1);
    return sb.toString();
  }
}
