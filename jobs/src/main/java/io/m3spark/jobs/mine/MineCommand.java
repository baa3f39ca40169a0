package io.m3spark.jobs.mine;

import io.m3spark.cli.Command;
import io.m3spark.jobs.spark.SparkSessions;
import org.apache.spark.sql.SparkSession;

/** {@code m3spark mine}: wires {@link MineJob} into the command line. */
public final class MineCommand implements Command<MineArgs> {

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
  public MineResult run(MineArgs args) throws Exception {
    SparkSession spark = SparkSessions.getOrCreate("m3spark mine");
    try {
      return MineJob.run(spark, args);
    } finally {
      spark.stop();
    }
  }
}
