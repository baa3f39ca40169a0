package io.m3spark.jobs.embed;

import io.m3spark.cli.Command;
import io.m3spark.jobs.spark.SparkSessions;
import org.apache.spark.sql.SparkSession;

/** {@code m3spark embed}: wires {@link EmbedJob} into the command line. */
public final class EmbedCommand implements Command<EmbedArgs> {

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
  public EmbedResult run(EmbedArgs args) throws Exception {
    SparkSession spark = SparkSessions.getOrCreate("m3spark embed");
    try {
      return EmbedJob.run(spark, args);
    } finally {
      spark.stop();
    }
  }
}
