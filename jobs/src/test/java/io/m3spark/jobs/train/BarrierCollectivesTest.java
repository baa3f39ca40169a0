package io.m3spark.jobs.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m3spark.jobs.spark.SparkSessions;
import io.m3spark.train.collective.Collective;
import io.m3spark.train.collective.RingSettings;
import java.io.Serializable;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import scala.collection.Iterator;
import scala.collection.JavaConverters;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

/** The collective inside a real barrier stage on local[2], and the checks that run before launching one. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BarrierCollectivesTest {
  private static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = SparkSessions.local("barrier-collectives", 2);
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  @Test
  void twoBarrierTasksAllReduceTheirArrays() {
    BarrierPreflight.check(spark.sparkContext(), 2);
    List<float[]> results = runOnTwoTasks(new AllReduceTask());
    float[] expected = new float[1000];
    for (int i = 0; i < expected.length; i++) {
      expected[i] = (arrayOfPartition(0)[i] + arrayOfPartition(1)[i]) / 2;
    }
    assertEquals(2, results.size());
    assertArrayEquals(expected, results.get(0), 1e-6f);
    assertArrayEquals(results.get(0), results.get(1));
  }

  /** Runs {@code task} as a barrier stage of two tasks; their arrays in partition order. */
  private static List<float[]> runOnTwoTasks(RingTask task) {
    JavaRDD<Integer> twoPartitions = JavaSparkContext.fromSparkContext(spark.sparkContext())
        .parallelize(Arrays.asList(0, 1), 2);
    ClassTag<float[]> arrays = ClassTag$.MODULE$.apply(float[].class);
    return new JavaRDD<>(twoPartitions.rdd().barrier().mapPartitions(task, false, arrays), arrays).collect();
  }

  /** A barrier task of these tests: joins the ring, then does its part and returns an array. */
  private abstract static class RingTask extends AbstractFunction1<Iterator<Integer>, Iterator<float[]>>
      implements Serializable {
    private static final long serialVersionUID = 1L;
    private final Duration timeout;
    private final Duration heartbeatTimeout;

    RingTask(Duration timeout, Duration heartbeatTimeout) {
      this.timeout = timeout;
      this.heartbeatTimeout = heartbeatTimeout;
    }

    abstract float[] run(BarrierTaskContext ctx, Collective collective);

    @Override
    public Iterator<float[]> apply(Iterator<Integer> ignored) {
      BarrierTaskContext ctx = BarrierTaskContext.get();
      try (Collective collective = BarrierCollectives.create(ctx,
          RingSettings.of(timeout).withHeartbeatTimeout(heartbeatTimeout))) {
        return JavaConverters.asScalaIterator(Collections.singletonList(run(ctx, collective)).iterator());
      }
    }
  }

  /** Join the ring, all-reduce this partition's array, return the result. */
  private static final class AllReduceTask extends RingTask {
    private static final long serialVersionUID = 1L;

    AllReduceTask() {
      super(Duration.ofSeconds(20), RingSettings.DEFAULT_HEARTBEAT_TIMEOUT);
    }

    @Override
    float[] run(BarrierTaskContext ctx, Collective collective) {
      if (collective.rank() != ctx.partitionId()) {
        throw new AssertionError("rank " + collective.rank() + " in partition " + ctx.partitionId());
      }
      float[] data = arrayOfPartition(ctx.partitionId());
      collective.allReduceMean(data);
      return data;
    }
  }

  /**
   * A cancelled job's tasks are only marked killed, not interrupted (as for a failed barrier stage): rank 0, waiting in
   * the all-reduce for a live rank 1, must notice through the ring's abort check, rank 1 between its steps; both end
   * within seconds, not after the 120 s collective timeout, and their slots run the next job.
   */
  @Test
  void cancellingTheJobStopsTasksWaitingInTheRingAndFreesTheirSlots() throws Exception {
    SparkContext sc = spark.sparkContext();
    TaskEvents tasks = new TaskEvents();
    sc.addSparkListener(tasks);
    ExecutorService driver = Executors.newSingleThreadExecutor();
    RANK0.clear();
    try {
      Future<List<float[]>> job = driver.submit(() -> {
        sc.setJobGroup("waiting-ring", "rank 0 waits for a busy rank 1", false);
        return runOnTwoTasks(new WaitingOnABusyRank());
      });
      assertEquals("waiting", RANK0.poll(30, TimeUnit.SECONDS));
      Thread.sleep(500); // rank 0 waits in allReduceMean
      long cancelled = System.nanoTime();
      sc.cancelJobGroup("waiting-ring");
      ExecutionException e = assertThrows(ExecutionException.class, () -> job.get(30, TimeUnit.SECONDS));
      assertTrue(String.valueOf(e.getCause().getMessage()).contains("cancelled"), String.valueOf(e.getCause()));
      long lastEnd = tasks.awaitAllEnded(Duration.ofSeconds(30));
      assertTrue(lastEnd - cancelled < 5_000_000_000L, "tasks ended " + (lastEnd - cancelled) / 1_000_000
          + " ms after the cancellation");
      String stopped = RANK0.poll(1, TimeUnit.SECONDS);
      assertTrue(stopped != null && stopped.contains("aborted"), "rank 0 stopped with: " + stopped);
      twoBarrierTasksAllReduceTheirArrays(); // the two slots are free again
    } finally {
      sc.removeSparkListener(tasks);
      sc.clearJobGroup();
      driver.shutdownNow();
    }
  }

  /** Rank 0 of {@link WaitingOnABusyRank} entering, then leaving the all-reduce (local mode: tasks run in this JVM). */
  private static final BlockingQueue<String> RANK0 = new LinkedBlockingQueue<>();

  /**
   * Rank 0 all-reduces; rank 1 stays alive and busy, checking between its "steps" whether it was killed, and is slow
   * to close its end of the ring once it was.
   */
  private static final class WaitingOnABusyRank extends RingTask {
    private static final long serialVersionUID = 1L;

    WaitingOnABusyRank() {
      super(Duration.ofSeconds(120), Duration.ofSeconds(60));
    }

    @Override
    float[] run(BarrierTaskContext ctx, Collective collective) {
      if (collective.rank() == 1) {
        return busyUntilKilled(ctx);
      }
      float[] data = new float[10];
      RANK0.add("waiting");
      try {
        collective.allReduceMean(data);
      } catch (RuntimeException e) {
        RANK0.add(e.getMessage());
        throw e;
      }
      return data;
    }

    /** Returns only by throwing, once killed, and keeps the ring open 2 s longer: rank 0 must notice by itself. */
    private static float[] busyUntilKilled(BarrierTaskContext ctx) {
      try {
        while (true) {
          ctx.killTaskIfInterrupted(); // what the training loop does after every step
          LockSupport.parkNanos(20_000_000L);
        }
      } finally {
        LockSupport.parkNanos(2_000_000_000L);
      }
    }
  }

  private static float[] arrayOfPartition(int partition) {
    float[] a = new float[1000];
    for (int i = 0; i < a.length; i++) {
      a[i] = partition * 0.5f + i * 0.001f;
    }
    return a;
  }

  @Test
  void moreWorkersThanLocalSlotsIsRefused() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> BarrierPreflight.check(spark.sparkContext(), 3));
    assertTrue(e.getMessage().contains("needs 3 task slots") && e.getMessage().contains("offers 2"), e.getMessage());
  }

  @Test
  void dynamicAllocationIsRefused() {
    SparkConf conf = spark.sparkContext().getConf().set("spark.dynamicAllocation.enabled", "true");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> BarrierPreflight.check(conf, 0, 2));
    assertTrue(e.getMessage().contains("spark.dynamicAllocation.enabled=false"), e.getMessage());
  }

  @Test
  void clusterSlotsCountExecutorsCoresAndGpus() {
    SparkConf conf = new SparkConf(false).set("spark.master", "yarn").set("spark.executor.cores", "8")
        .set("spark.task.cpus", "2");
    // a training task is a device task: without GPUs it takes all of its executor's cores
    assertEquals(3, BarrierPreflight.taskSlots(conf, 3));
    // with GPUs, one per GPU, with the executor's cores shared between its GPUs
    assertEquals(6, BarrierPreflight.taskSlots(conf.clone().set("spark.executor.resource.gpu.amount", "2"), 3));
    conf.set("spark.executor.resource.gpu.amount", "1");
    assertEquals(3, BarrierPreflight.taskSlots(conf, 3));
    assertEquals(4, BarrierPreflight.taskSlots(new SparkConf(false).set("spark.master", "local[4, 2]"), 0));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> BarrierPreflight.check(conf, 3, 4));
    assertTrue(e.getMessage().contains("3 executors"), e.getMessage());
  }

  @Test
  void hostPortsParse() {
    assertEquals("10.0.0.7", BarrierCollectives.parseHostPort("10.0.0.7:4040").getHostString());
    assertEquals(4040, BarrierCollectives.parseHostPort("10.0.0.7:4040").getPort());
    assertEquals("::1", BarrierCollectives.parseHostPort("[::1]:5").getHostString());
  }
}
