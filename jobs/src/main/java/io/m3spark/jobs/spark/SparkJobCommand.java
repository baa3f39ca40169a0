package io.m3spark.jobs.spark;

import io.m3spark.cli.Command;
import io.m3spark.cli.CommandArgs;
import org.apache.spark.sql.SparkSession;

/**
 * A command that runs one Spark job: it gets the session ({@link SparkSessions}: the cluster's under spark-submit, an
 * embedded {@code local[*]} otherwise), runs the job and stops the session, whatever happens.
 *
 * @param <A> the command's flags
 */
public abstract class SparkJobCommand<A extends CommandArgs> implements Command<A> {

  /** The job itself, with a session that this class stops afterwards. */
  protected abstract Object run(SparkSession spark, A args) throws Exception;

  @Override
  public final Object run(A args) throws Exception {
    SparkSession spark = SparkSessions.getOrCreate("m3spark " + name());
    try {
      return run(spark, args);
    } finally {
      spark.stop();
    }
  }
}
