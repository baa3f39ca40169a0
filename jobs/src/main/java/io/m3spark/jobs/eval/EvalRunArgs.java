package io.m3spark.jobs.eval;

import io.m3spark.cli.CommandArgs;
import io.m3spark.cli.Flag;
import io.m3spark.cli.UsageException;
import io.m3spark.eval.EvaluationOptions;
import io.m3spark.eval.Metrics;
import io.m3spark.eval.QrelsFormat;
import io.m3spark.eval.RunFormat;
import java.util.ArrayList;
import java.util.List;

/** Flags of {@code m3spark eval-run}; names and defaults follow FlagEmbedding's evaluation arguments. */
public final class EvalRunArgs extends CommandArgs {
  private static final long serialVersionUID = 1L;

  @Flag(name = "qrels", help = "relevance judgements: TREC 'qid 0 docid rel' or FlagEmbedding {split}_qrels.jsonl",
      required = true)
  String qrels;

  @Flag(name = "run", help = "ranked results: TREC run, FlagEmbedding search-results JSON or search JSONL; a folder "
      + "reads its part-* files (m3spark search output)",
      required = true)
  String run;

  @Flag(name = "k_values", help = "cut-offs for every metric")
  List<Integer> kValues = new ArrayList<>(EvaluationOptions.DEFAULT_K_VALUES);

  @Flag(name = "eval_metrics", help = "metrics shown in the markdown report and the summary, e.g. ndcg_at_10")
  List<String> evalMetrics = new ArrayList<>(List.of("ndcg_at_10", "recall_at_10"));

  @Flag(name = "eval_output_method", help = "report format")
  OutputMethod evalOutputMethod = OutputMethod.MARKDOWN;

  @Flag(name = "eval_output_path", help = "report file; None means ./eval_results.md, or ./eval_results.json for json")
  String evalOutputPath;

  @Flag(name = "per_query_output", help = "also write one JSON line of metrics per query to this file")
  String perQueryOutput;

  @Flag(name = "run_format", help = "run file format; auto looks at the content")
  RunFormat runFormat = RunFormat.AUTO;

  @Flag(name = "qrels_format", help = "qrels file format; auto looks at the first character")
  QrelsFormat qrelsFormat = QrelsFormat.AUTO;

  @Flag(name = "relevance_level", help = "smallest grade counted as relevant (trec_eval -l)")
  int relevanceLevel = 1;

  @Flag(name = "complete_queries", help = "average over all qrels queries, unanswered ones scoring 0 (trec_eval -c)")
  boolean completeQueries;

  @Flag(name = "flagembedding_compat",
      help = "MRR and R_cap as FlagEmbedding computes them: input-order ties, divided by the qrels query count")
  boolean flagembeddingCompat;

  @Override
  public void validate() throws UsageException {
    if (kValues.stream().anyMatch(k -> k < 1)) {
      throw new UsageException("--k_values must be positive, got " + kValues);
    }
    if (relevanceLevel < 1) {
      throw new UsageException("--relevance_level must be at least 1, got " + relevanceLevel);
    }
    for (String m : evalMetrics) {
      if (Metrics.familyOf(m).isEmpty() || Metrics.cutoffOf(m) < 1) {
        throw new UsageException("--eval_metrics: unknown metric '" + m + "'; use <family>_at_<k> with family one of "
            + Metrics.ALL.stream().map(x -> x.name()).toList());
      }
    }
  }

  EvaluationOptions options() {
    return EvaluationOptions.defaults().withKValues(kValues).withRelevanceLevel(relevanceLevel)
        .withCompleteQueries(completeQueries).withFlagEmbeddingCompat(flagembeddingCompat);
  }

  String outputPath() {
    if (evalOutputPath != null) {
      return evalOutputPath;
    }
    return evalOutputMethod == OutputMethod.JSON ? "eval_results.json" : "eval_results.md";
  }
}
