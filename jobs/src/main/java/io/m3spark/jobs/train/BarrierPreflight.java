package io.m3spark.jobs.train;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;

/**
 * Checks, before launching a training barrier stage of W tasks, that Spark can run all W at once. Spark itself only
 * notices at scheduling time and then retries or waits; these checks fail at once with the setting to change.
 */
public final class BarrierPreflight {
  private static final Pattern LOCAL = Pattern.compile("local\\[(\\*|\\d+)(?:,\\s*\\d+)?]");
  private static final Pattern LOCAL_CLUSTER = Pattern.compile("local-cluster\\[\\s*(\\d+)\\s*,\\s*(\\d+)\\s*,.*]");

  private BarrierPreflight() {}

  /**
   * @throws IllegalStateException when dynamic allocation is on, or fewer than {@code workers} task slots exist
   */
  public static void check(SparkContext sc, int workers) {
    // the status tracker lists the driver too
    int executors = Math.max(0, sc.statusTracker().getExecutorInfos().length - 1);
    check(sc.getConf(), executors, workers);
  }

  static void check(SparkConf conf, int liveExecutors, int workers) {
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be at least 1, got " + workers);
    }
    if (conf.getBoolean("spark.dynamicAllocation.enabled", false)) {
      throw new IllegalStateException("training runs as a barrier stage, which Spark refuses under dynamic "
          + "allocation: set spark.dynamicAllocation.enabled=false");
    }
    int slots = taskSlots(conf, liveExecutors);
    if (slots < workers) {
      throw new IllegalStateException(String.format("training needs %d task slots at once (one per worker, in a "
          + "barrier stage) but %s offers %d (%s); use fewer workers or more executors, cores or GPUs",
          workers, conf.get("spark.master", "this cluster"), slots, slotsExplained(conf, liveExecutors)));
    }
  }

  /**
   * How many tasks can run at once: local[N] gives N, otherwise executors × cores per executor, divided by
   * {@code spark.task.cpus}, and limited by GPUs per executor when tasks ask for GPUs.
   */
  static int taskSlots(SparkConf conf, int liveExecutors) {
    int taskCpus = conf.getInt("spark.task.cpus", 1);
    String master = conf.get("spark.master", "");
    if (master.equals("local")) {
      return 1 / taskCpus;
    }
    Matcher local = LOCAL.matcher(master);
    if (local.matches()) {
      int threads = local.group(1).equals("*") ? Runtime.getRuntime().availableProcessors()
          : Integer.parseInt(local.group(1));
      return threads / taskCpus;
    }
    Matcher localCluster = LOCAL_CLUSTER.matcher(master);
    if (localCluster.matches()) {
      return Integer.parseInt(localCluster.group(1)) * (Integer.parseInt(localCluster.group(2)) / taskCpus);
    }
    int perExecutor = conf.getInt("spark.executor.cores", 1) / taskCpus;
    double taskGpus = conf.getDouble("spark.task.resource.gpu.amount", 0);
    if (taskGpus > 0) {
      double executorGpus = conf.getDouble("spark.executor.resource.gpu.amount", 0);
      perExecutor = Math.min(perExecutor, (int) Math.floor(executorGpus / taskGpus));
    }
    return liveExecutors * perExecutor;
  }

  private static String slotsExplained(SparkConf conf, int liveExecutors) {
    String master = conf.get("spark.master", "");
    if (master.startsWith("local")) {
      return "spark.task.cpus=" + conf.get("spark.task.cpus", "1");
    }
    return String.format("%d executors, spark.executor.cores=%s, spark.task.cpus=%s, "
        + "spark.executor.resource.gpu.amount=%s, spark.task.resource.gpu.amount=%s", liveExecutors,
        conf.get("spark.executor.cores", "1"), conf.get("spark.task.cpus", "1"),
        conf.get("spark.executor.resource.gpu.amount", "unset"), conf.get("spark.task.resource.gpu.amount", "unset"));
  }
}
