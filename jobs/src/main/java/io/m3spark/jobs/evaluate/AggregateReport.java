package io.m3spark.jobs.evaluate;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.m3spark.eval.MarkdownReport;
import io.m3spark.io.OutputFolder;
import io.m3spark.jobs.eval.OutputMethod;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;

/**
 * The aggregate report at {@code eval_output_path} over every {@code {output_dir}/{row}/{reranker}/EVAL/eval_results.json}
 * found, as FlagEmbedding builds it (so a baseline evaluated earlier into the same output_dir shares the table): markdown
 * through {@link MarkdownReport} (one section per metric, one row per model × mode folder, bold best per column), or JSON
 * {@code {model: {reranker: {split: {metric: value}}}}}. Rows are sorted by folder name.
 */
final class AggregateReport {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private AggregateReport() {}

  /** Writes the report to {@code target}, a path or a Hadoop URI (reached with {@code conf}), replacing it whole. */
  static void write(OutputFolder outputDir, OutputMethod method, List<String> metrics, String target,
      Configuration conf) throws IOException {
    Map<String, Map<String, Map<String, Map<String, Double>>>> all = collect(outputDir);
    String text;
    if (method == OutputMethod.JSON) {
      text = JSON.writeValueAsString(all) + "\n";
    } else {
      MarkdownReport report = new MarkdownReport(metrics);
      all.forEach((model, byReranker) -> byReranker.forEach((reranker, bySplit) ->
          bySplit.forEach((split, values) -> report.add(model, reranker, split, values))));
      text = report.render();
    }
    try (OutputFolder folder = OutputFolder.forFile(target, conf)) {
      folder.writeString(OutputFolder.fileName(target), text);
    }
  }

  /** model → reranker → split → metric → value, from every eval_results.json under {@code outputDir}. */
  static Map<String, Map<String, Map<String, Map<String, Double>>>> collect(OutputFolder outputDir) throws IOException {
    Map<String, Map<String, Map<String, Map<String, Double>>>> all = new TreeMap<>();
    for (String model : outputDir.list()) {
      OutputFolder row = outputDir.child(model);
      for (String reranker : row.list()) {
        String results = reranker + "/" + ResultsFolder.EVAL_RESULTS;
        if (row.exists(results)) {
          all.computeIfAbsent(model, m -> new TreeMap<>())
              .put(reranker, JSON.readValue(row.read(results), new TypeReference<>() {}));
        }
      }
    }
    return all;
  }
}
