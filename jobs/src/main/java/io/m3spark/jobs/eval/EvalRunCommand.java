package io.m3spark.jobs.eval;

import io.m3spark.io.AtomicFiles;
import io.m3spark.cli.Command;
import io.m3spark.eval.EvaluationResult;
import io.m3spark.eval.Evaluator;
import io.m3spark.eval.JsonReport;
import io.m3spark.eval.MarkdownReport;
import io.m3spark.eval.PerQueryJsonlWriter;
import io.m3spark.eval.PerQueryListener;
import io.m3spark.eval.Qrels;
import io.m3spark.eval.QrelsReader;
import io.m3spark.io.OutputRule;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code m3spark eval-run}: scores an existing run file against qrels, like trec_eval, and writes FlagEmbedding's
 * reports. No Spark session: one JVM streams the run. The markdown row is named after the run file (model) and
 * {@code NoReranker}, on split {@code test}, as FlagEmbedding's custom evaluation would name a single run.
 */
public final class EvalRunCommand implements Command<EvalRunArgs> {
  static final String RERANKER = "NoReranker";
  static final String SPLIT = "test";

  @Override
  public String name() {
    return "eval-run";
  }

  @Override
  public String summary() {
    return "Score a run file against qrels (trec_eval metrics, FlagEmbedding reports); no Spark needed.";
  }

  @Override
  public Class<EvalRunArgs> argsType() {
    return EvalRunArgs.class;
  }

  @Override
  public EvalRunSummary run(EvalRunArgs args) throws Exception {
    Path runFile = Paths.get(args.run);
    Map<String, Path> inputs = Map.of("--run", runFile, "--qrels", Paths.get(args.qrels));
    OutputRule.refuseLocalOverlap("--eval_output_path", List.of(Paths.get(args.outputPath())), inputs);
    if (args.perQueryOutput != null) {
      OutputRule.refuseLocalOverlap("--per_query_output", List.of(Paths.get(args.perQueryOutput)), inputs);
    }
    Qrels qrels = QrelsReader.read(Paths.get(args.qrels), args.qrelsFormat);
    Evaluator evaluator = new Evaluator(args.options());
    List<String> written = new ArrayList<>();
    EvaluationResult result;
    if (args.perQueryOutput == null) {
      result = evaluator.evaluate(qrels, runFile, args.runFormat, PerQueryListener.NONE);
    } else {
      try (PerQueryJsonlWriter perQuery = new PerQueryJsonlWriter(Paths.get(args.perQueryOutput))) {
        result = evaluator.evaluate(qrels, runFile, args.runFormat, perQuery);
        perQuery.commit();
      }
      written.add(args.perQueryOutput);
    }
    Path report = Paths.get(args.outputPath());
    if (args.evalOutputMethod == OutputMethod.JSON) {
      JsonReport.write(report, result);
    } else {
      AtomicFiles.writeString(report, new MarkdownReport(args.evalMetrics)
          .add(modelName(runFile), RERANKER, SPLIT, result.rounded()).render());
    }
    written.add(args.outputPath());
    return new EvalRunSummary(result, args.evalMetrics, args.completeQueries, written);
  }

  /** The run file's name without its extension, e.g. {@code bge-m3} for {@code bge-m3.trec}. */
  static String modelName(Path runFile) {
    String name = runFile.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot > 0 ? name.substring(0, dot) : name;
  }
}
