package io.m3spark.jobs.spark;

import java.util.Locale;
import org.apache.spark.Partitioner;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.rdd.RDD;
import org.apache.spark.resource.ResourceProfile;
import org.apache.spark.resource.TaskResourceProfile;
import org.apache.spark.resource.TaskResourceRequests;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * Stage-level scheduling of device work — model forward passes, search matmuls, training. On a cluster those stages
 * run under a task resource profile of one whole GPU (when executors have GPUs) and a CPU share to match
 * ({@link #deviceTask}), while every other stage keeps the application's default of one CPU and no GPU per task, so
 * that reading, parsing, joins, sorts and writes use all of an executor's cores. A CPU-only cluster gets the same
 * shape without the GPU: one device task per executor, with all its cores for libtorch's threads, instead of
 * {@code spark.executor.cores} tasks queueing for one model.
 *
 * <p>Spark merges the profiles of all RDDs in a stage, cached ones included, so anything computed from device output
 * in the same stage would also wait for a GPU: {@link #separate} hands device output on through a shuffle instead.
 * Local mode has no stage-level scheduling (Spark refuses task profiles there): device work runs as it is.
 */
public final class DeviceStages {
  private static final Logger LOG = LoggerFactory.getLogger(DeviceStages.class);

  /** CPUs and GPUs one device task takes. */
  public record TaskShape(int cpus, double gpus) {
    @Override
    public String toString() {
      return gpus > 0 ? String.format(Locale.ROOT, "%d CPU(s) + %s GPU", cpus, gpus == 1 ? "1" : String.valueOf(gpus))
          : cpus + " CPU(s)";
    }
  }

  private DeviceStages() {}

  /**
   * The shape of a device task under {@code conf}: one GPU when executors have GPUs, and the executor's cores divided
   * by its GPUs (all its cores without GPUs); {@code spark.task.cpus} where the executor's cores are not set.
   */
  public static TaskShape deviceTask(SparkConf conf) {
    double executorGpus = conf.getDouble("spark.executor.resource.gpu.amount", 0);
    int taskCpus = conf.getInt("spark.task.cpus", 1);
    if (!conf.contains("spark.executor.cores")) {
      return new TaskShape(taskCpus, executorGpus > 0 ? 1 : 0);
    }
    int executorCores = conf.getInt("spark.executor.cores", 1);
    if (executorGpus <= 0) {
      return new TaskShape(Math.max(taskCpus, executorCores), 0);
    }
    int cpus = (int) Math.max(taskCpus, Math.floor(executorCores / Math.floor(executorGpus)));
    return new TaskShape(Math.min(cpus, executorCores), 1);
  }

  /** The profile device stages run under, or null in local mode. */
  public static ResourceProfile profile(SparkContext sc) {
    if (sc.isLocal()) {
      return null;
    }
    TaskShape shape = deviceTask(sc.getConf());
    TaskResourceRequests requests = new TaskResourceRequests().cpus(shape.cpus());
    if (shape.gpus() > 0) {
      requests.resource("gpu", shape.gpus());
    }
    return new TaskResourceProfile(requests.requests());
  }

  /** {@code rdd}, whose stage is device work, under the device profile; for device work followed by a shuffle. */
  public static <T> JavaRDD<T> assign(JavaRDD<T> rdd) {
    assign(rdd.rdd());
    return rdd;
  }

  /** As {@link #assign(JavaRDD)}, for pair RDDs. */
  public static <K, V> JavaPairRDD<K, V> assign(JavaPairRDD<K, V> rdd) {
    assign(rdd.rdd());
    return rdd;
  }

  /** Sets the device profile on {@code rdd} itself (Spark's {@code withResources} changes the RDD it is called on). */
  private static void assign(RDD<?> rdd) {
    ResourceProfile profile = profile(rdd.context());
    if (profile != null) {
      LOG.info("device stage of RDD {}: {} per task", rdd.id(), deviceTask(rdd.context().getConf()));
      rdd.withResources(profile);
    }
  }

  /**
   * The device work {@code rdd} in a stage of its own under the device profile, its output read by later stages
   * through a shuffle: the result has the same partitions, each in the same order. In local mode, {@code rdd} itself.
   */
  public static <T> JavaRDD<T> separate(JavaRDD<T> rdd) {
    if (profile(rdd.context()) == null) {
      return rdd;
    }
    int partitions = rdd.getNumPartitions();
    return assign(rdd).mapPartitionsWithIndex((partition, items) -> new PositionKeys<>(partition, items), true)
        .mapToPair(t -> t)
        .repartitionAndSortWithinPartitions(new SamePartition(partitions))
        .values();
  }

  /** Keys each item with (partition, position): the shuffle back puts it in the same partition at the same place. */
  private static final class PositionKeys<T> implements java.util.Iterator<Tuple2<Long, T>> {
    private final long base;
    private final java.util.Iterator<T> items;
    private long position;

    PositionKeys(int partition, java.util.Iterator<T> items) {
      this.base = (long) partition << 32;
      this.items = items;
    }

    @Override
    public boolean hasNext() {
      return items.hasNext();
    }

    @Override
    public Tuple2<Long, T> next() {
      return new Tuple2<>(base | position++, items.next());
    }
  }

  /** Sends a position key back to the partition it came from. */
  static final class SamePartition extends Partitioner {
    private static final long serialVersionUID = 1L;
    private final int partitions;

    SamePartition(int partitions) {
      this.partitions = partitions;
    }

    @Override
    public int numPartitions() {
      return partitions;
    }

    @Override
    public int getPartition(Object key) {
      return (int) ((Long) key >>> 32);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof SamePartition p && p.partitions == partitions;
    }

    @Override
    public int hashCode() {
      return partitions;
    }
  }
}
