package io.m3spark.jobs.evaluate;

import io.m3spark.cli.Command;
import io.m3spark.jobs.spark.SparkSessions;
import org.apache.spark.sql.SparkSession;

/** {@code m3spark evaluate}: wires {@link EvaluateJob} into the command line. */
public final class EvaluateCommand implements Command<EvaluateArgs> {

  @Override
  public String name() {
    return "evaluate";
  }

  @Override
  public String summary() {
    return "FlagEmbedding's custom evaluation (corpus, queries, qrels) with dense, sparse, colbert and hybrid retrieval";
  }

  @Override
  public Class<EvaluateArgs> argsType() {
    return EvaluateArgs.class;
  }

  @Override
  public EvaluateResult run(EvaluateArgs args) throws Exception {
    SparkSession spark = SparkSessions.getOrCreate("m3spark evaluate");
    try {
      return EvaluateJob.run(spark, args);
    } finally {
      spark.stop();
    }
  }
}
