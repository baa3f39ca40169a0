package io.m3spark.jobs.mine;

import io.m3spark.jobs.spark.SparkJobCommand;
import org.apache.spark.sql.SparkSession;

/** {@code m3spark mine}: wires {@link MineJob} into the command line. */
public final class MineCommand extends SparkJobCommand<MineArgs> {

  @Override
  public String name() {
    return "mine";
  }

  @Override
  public String summary() {
    return "hard-negative mining for training JSONL (FlagEmbedding's hn_mine, seeded and exact)";
  }

  @Override
  public Class<MineArgs> argsType() {
    return MineArgs.class;
  }

  @Override
  protected MineResult run(SparkSession spark, MineArgs args) throws Exception {
    return MineJob.run(spark, args);
  }
}
