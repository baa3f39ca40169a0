package io.m3spark.jobs.train;

import io.m3spark.jobs.spark.SparkJobCommand;
import org.apache.spark.sql.SparkSession;

/** {@code m3spark train}: wires {@link TrainJob} into the command line. */
public final class TrainCommand extends SparkJobCommand<TrainArgs> {

  @Override
  public String name() {
    return "train";
  }

  @Override
  public String summary() {
    return "unified BGE-M3 fine-tuning (FlagEmbedding's encoder_only.m3), data-parallel on a Spark barrier stage";
  }

  @Override
  public Class<TrainArgs> argsType() {
    return TrainArgs.class;
  }

  @Override
  protected TrainResult run(SparkSession spark, TrainArgs args) throws Exception {
    return TrainJob.run(spark, args);
  }
}
