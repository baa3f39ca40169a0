package io.m3spark.jobs.evaluate;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.m3spark.eval.MarkdownReport;
import io.m3spark.io.AtomicFiles;
import io.m3spark.jobs.eval.OutputMethod;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The aggregate report at {@code eval_output_path} over every {@code {output_dir}/{row}/{reranker}/EVAL/eval_results.json}
 * found, as FlagEmbedding builds it (so a baseline evaluated earlier into the same output_dir shares the table): markdown
 * through {@link MarkdownReport} (one section per metric, one row per model × mode folder, bold best per column), or JSON
 * {@code {model: {reranker: {split: {metric: value}}}}}. Rows are sorted by folder name.
 */
final class AggregateReport {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private AggregateReport() {}

  static void write(Path outputDir, OutputMethod method, List<String> metrics, Path target) throws IOException {
    Map<String, Map<String, Map<String, Map<String, Double>>>> all = collect(outputDir);
    if (method == OutputMethod.JSON) {
      AtomicFiles.writeString(target, JSON.writeValueAsString(all) + "\n");
      return;
    }
    MarkdownReport report = new MarkdownReport(metrics);
    all.forEach((model, byReranker) -> byReranker.forEach((reranker, bySplit) ->
        bySplit.forEach((split, values) -> report.add(model, reranker, split, values))));
    AtomicFiles.writeString(target, report.render());
  }

  /** model → reranker → split → metric → value, from every eval_results.json under {@code outputDir}. */
  static Map<String, Map<String, Map<String, Map<String, Double>>>> collect(Path outputDir) throws IOException {
    Map<String, Map<String, Map<String, Map<String, Double>>>> all = new TreeMap<>();
    if (!Files.isDirectory(outputDir)) {
      return all;
    }
    try (Stream<Path> models = Files.list(outputDir)) {
      for (Path model : models.filter(Files::isDirectory).sorted().toList()) {
        try (Stream<Path> rerankers = Files.list(model)) {
          for (Path reranker : rerankers.filter(Files::isDirectory).sorted().toList()) {
            Path results = reranker.resolve("EVAL").resolve("eval_results.json");
            if (Files.isRegularFile(results)) {
              all.computeIfAbsent(model.getFileName().toString(), m -> new TreeMap<>())
                  .put(reranker.getFileName().toString(), JSON.readValue(results.toFile(), new TypeReference<>() {}));
            }
          }
        }
      }
    }
    return all;
  }
}
