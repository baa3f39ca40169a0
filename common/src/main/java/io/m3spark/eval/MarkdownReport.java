package io.m3spark.eval;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * FlagEmbedding's markdown summary ({@code eval_results.md}): for each requested metric a {@code ## metric} section
 * and a table with one row per (model, reranker) and the columns {@code average} and every split (sorted by name):
 *
 * <pre>
 * | Model | Reranker | average | test |
 * | :---- | :---- | :---: | :---: |
 * | bge-m3 | NoReranker | **61.234** | **61.234** |
 * </pre>
 *
 * Values are ×100 with 3 decimals (rounded as Python formats them), the best value of each column is bold (the first
 * row on a tie, as pandas' idxmax), {@code average} is the mean over the split columns, and a missing value — a
 * metric not computed, or any split missing for the average — shows as {@code -}. Rows keep insertion order.
 */
public final class MarkdownReport {
  private final List<String> metrics;
  /** [model, reranker] → split → metric → value. */
  private final Map<List<String>, Map<String, Map<String, Double>>> rows = new LinkedHashMap<>();
  private final TreeSet<String> splits = new TreeSet<>();

  /** A report with one section per name in {@code metrics} (e.g. FlagEmbedding's {@code eval_metrics}). */
  public MarkdownReport(List<String> metrics) {
    this.metrics = List.copyOf(metrics);
  }

  /** Adds (or replaces) one model/reranker's values on one split, e.g. {@link EvaluationResult#rounded()}. */
  public MarkdownReport add(String model, String reranker, String split, Map<String, Double> values) {
    rows.computeIfAbsent(List.of(model, reranker), r -> new LinkedHashMap<>()).put(split, Map.copyOf(values));
    splits.add(split);
    return this;
  }

  public String render() {
    StringBuilder sb = new StringBuilder();
    List<String> columns = new ArrayList<>();
    columns.add("average");
    columns.addAll(splits);
    for (String metric : metrics) {
      sb.append("## ").append(metric).append("\n\n");
      sb.append("| Model | Reranker | ").append(String.join(" | ", columns)).append(" |\n");
      sb.append("| :---- | :---- | ").append(String.join(" | ", columns.stream().map(c -> ":---:").toList()))
          .append(" |\n");
      List<Double[]> table = new ArrayList<>();
      for (Map<String, Map<String, Double>> bySplit : rows.values()) {
        table.add(rowValues(metric, bySplit));
      }
      int[] best = bestRows(table, columns.size());
      int r = 0;
      for (List<String> key : rows.keySet()) {
        sb.append("| ").append(key.get(0)).append(" | ").append(key.get(1)).append(" | ");
        Double[] values = table.get(r);
        for (int c = 0; c < values.length; c++) {
          sb.append(cell(values[c], best[c] == r)).append(" | ");
        }
        sb.setLength(sb.length() - 1);
        sb.append('\n');
        r++;
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  /** [average, split...] for one row; null where missing. */
  private Double[] rowValues(String metric, Map<String, Map<String, Double>> bySplit) {
    Double[] values = new Double[splits.size() + 1];
    double sum = 0;
    boolean complete = true;
    int c = 1;
    for (String split : splits) {
      Map<String, Double> m = bySplit.get(split);
      Double v = m == null ? null : m.get(metric);
      values[c++] = v;
      if (v == null) {
        complete = false;
      } else {
        sum += v;
      }
    }
    values[0] = complete ? sum / splits.size() : null;
    return values;
  }

  private static int[] bestRows(List<Double[]> table, int columns) {
    int[] best = new int[columns];
    for (int c = 0; c < columns; c++) {
      best[c] = -1;
      for (int r = 0; r < table.size(); r++) {
        Double v = table.get(r)[c];
        if (v != null && (best[c] < 0 || v > table.get(best[c])[c])) {
          best[c] = r;
        }
      }
    }
    return best;
  }

  private static String cell(Double value, boolean bold) {
    if (value == null) {
      return "-";
    }
    String text = new BigDecimal(value * 100).setScale(3, RoundingMode.HALF_EVEN).toPlainString();
    return bold ? "**" + text + "**" : text;
  }
}
