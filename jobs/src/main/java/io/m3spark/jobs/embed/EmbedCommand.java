package io.m3spark.jobs.embed;

import io.m3spark.jobs.spark.SparkJobCommand;
import org.apache.spark.sql.SparkSession;

/** {@code m3spark embed}: wires {@link EmbedJob} into the command line. */
public final class EmbedCommand extends SparkJobCommand<EmbedArgs> {

  @Override
  public String name() {
    return "embed";
  }

  @Override
  public String summary() {
    return "BGE-M3 dense/sparse/ColBERT embeddings of a JSONL or Parquet corpus or query set";
  }

  @Override
  public Class<EmbedArgs> argsType() {
    return EmbedArgs.class;
  }

  @Override
  protected EmbedResult run(SparkSession spark, EmbedArgs args) throws Exception {
    return EmbedJob.run(spark, args);
  }
}
