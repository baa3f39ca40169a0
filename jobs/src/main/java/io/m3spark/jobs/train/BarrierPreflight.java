package io.m3spark.jobs.train;

import io.m3spark.jobs.spark.DeviceStages;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks, before launching a training barrier stage of W tasks, that Spark can run all W at once. Spark itself only
 * notices at scheduling time and then retries or waits; these checks fail at once with the setting to change.
 */
public final class BarrierPreflight {
  private static final Logger LOG = LoggerFactory.getLogger(BarrierPreflight.class);
  static final Duration MIN_WAIT = Duration.ofSeconds(60);
  private static final Duration POLL = Duration.ofMillis(250);
  private static final Pattern LOCAL = Pattern.compile("local\\[(\\*|\\d+)(?:,\\s*\\d+)?]");
  private static final Pattern LOCAL_CLUSTER = Pattern.compile("local-cluster\\[\\s*(\\d+)\\s*,\\s*(\\d+)\\s*,.*]");

  private BarrierPreflight() {}

  /**
   * Executors register with the driver one by one after the application starts (a cluster manager may also take minutes
   * to grant containers), so the check waits up to {@code spark.scheduler.maxRegisteredResourcesWaitingTime}, and at
   * least {@link #MIN_WAIT}, for enough of them.
   *
   * @throws IllegalStateException when dynamic allocation is on, or fewer than {@code workers} task slots exist
   */
  public static void check(SparkContext sc, int workers) {
    long waitMillis = Math.max(MIN_WAIT.toMillis(),
        sc.getConf().getTimeAsMs("spark.scheduler.maxRegisteredResourcesWaitingTime", "30s"));
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
    long nextLog = 0;
    while (true) {
      // the status tracker lists the driver too
      int executors = Math.max(0, sc.statusTracker().getExecutorInfos().length - 1);
      try {
        check(sc.getConf(), executors, workers);
        return;
      } catch (NotEnoughSlots e) {
        if (sc.isLocal() || System.nanoTime() > deadline) {
          throw e;
        }
        if (System.nanoTime() > nextLog) {
          LOG.info("waiting for executors: {} of the {} task slots training needs are up", e.slots, workers);
          nextLog = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        }
        sleep(POLL);
      }
    }
  }

  /** Too few task slots now; on a cluster more may register. */
  static final class NotEnoughSlots extends IllegalStateException {
    private static final long serialVersionUID = 1L;
    final int slots;

    NotEnoughSlots(String message, int slots) {
      super(message);
      this.slots = slots;
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for executors", e);
    }
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
      throw new NotEnoughSlots(String.format("training needs %d task slots at once (one per worker, in a "
          + "barrier stage) but %s offers %d (%s); use fewer workers or more executors, cores or GPUs",
          workers, conf.get("spark.master", "this cluster"), slots, slotsExplained(conf, liveExecutors)), slots);
    }
  }

  /**
   * How many training tasks can run at once: local[N] gives N (divided by {@code spark.task.cpus}), otherwise
   * executors × the device tasks ({@link DeviceStages#deviceTask}) an executor's cores and GPUs hold.
   */
  static int taskSlots(SparkConf conf, int liveExecutors) {
    int taskCpus = conf.getInt("spark.task.cpus", 1);
    String master = conf.get("spark.master", "");
    if (master.equals("local")) {
      return 1 / taskCpus;
    }
    if (LOCAL.matcher(master).matches()) {
      return localCores(master) / taskCpus;
    }
    Matcher localCluster = LOCAL_CLUSTER.matcher(master);
    if (localCluster.matches()) {
      return Integer.parseInt(localCluster.group(1)) * (Integer.parseInt(localCluster.group(2)) / taskCpus);
    }
    DeviceStages.TaskShape task = DeviceStages.deviceTask(conf);
    int perExecutor = Math.max(1, conf.getInt("spark.executor.cores", task.cpus()) / task.cpus());
    if (task.gpus() > 0) {
      double executorGpus = conf.getDouble("spark.executor.resource.gpu.amount", 0);
      perExecutor = Math.min(perExecutor, (int) Math.floor(executorGpus / task.gpus()));
    }
    return liveExecutors * perExecutor;
  }

  /** The cores of a {@code local[N]} or {@code local[*]} master (the machine's), 1 for {@code local}. */
  static int localCores(String master) {
    Matcher local = LOCAL.matcher(master);
    if (!local.matches()) {
      return 1;
    }
    return local.group(1).equals("*") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(local.group(1));
  }

  private static String slotsExplained(SparkConf conf, int liveExecutors) {
    String master = conf.get("spark.master", "");
    if (master.startsWith("local")) {
      return "spark.task.cpus=" + conf.get("spark.task.cpus", "1");
    }
    return String.format("%d executors, spark.executor.cores=%s, spark.executor.resource.gpu.amount=%s, %s per "
        + "training task", liveExecutors, conf.get("spark.executor.cores", "unset"),
        conf.get("spark.executor.resource.gpu.amount", "unset"), DeviceStages.deviceTask(conf));
  }
}
