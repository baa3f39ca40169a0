package io.m3spark.jobs.evaluate;

import io.m3spark.jobs.spark.SparkJobCommand;
import org.apache.spark.sql.SparkSession;

/** {@code m3spark evaluate}: wires {@link EvaluateJob} into the command line. */
public final class EvaluateCommand extends SparkJobCommand<EvaluateArgs> {

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
  protected EvaluateResult run(SparkSession spark, EvaluateArgs args) throws Exception {
    return EvaluateJob.run(spark, args);
  }
}
