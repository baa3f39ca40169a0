package io.m3spark.jobs.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m3spark.jobs.spark.SparkSessions;
import io.m3spark.train.collective.Collective;
import java.io.Serializable;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkConf;
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
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    BarrierPreflight.check(jsc.sc(), 2);
    JavaRDD<Integer> twoPartitions = jsc.parallelize(Arrays.asList(0, 1), 2);
    ClassTag<float[]> arrays = ClassTag$.MODULE$.apply(float[].class);
    List<float[]> results = new JavaRDD<>(
        twoPartitions.rdd().barrier().mapPartitions(new AllReduceTask(), false, arrays), arrays).collect();
    float[] expected = new float[1000];
    for (int i = 0; i < expected.length; i++) {
      expected[i] = (arrayOfPartition(0)[i] + arrayOfPartition(1)[i]) / 2;
    }
    assertEquals(2, results.size());
    assertArrayEquals(expected, results.get(0), 1e-6f);
    assertArrayEquals(results.get(0), results.get(1));
  }

  /** A barrier task: join the ring, all-reduce this partition's array, return the result. */
  private static final class AllReduceTask extends AbstractFunction1<Iterator<Integer>, Iterator<float[]>>
      implements Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public Iterator<float[]> apply(Iterator<Integer> ignored) {
      BarrierTaskContext ctx = BarrierTaskContext.get();
      try (Collective collective = BarrierCollectives.create(ctx, Duration.ofSeconds(20))) {
        if (collective.rank() != ctx.partitionId()) {
          throw new AssertionError("rank " + collective.rank() + " in partition " + ctx.partitionId());
        }
        float[] data = arrayOfPartition(ctx.partitionId());
        collective.allReduceMean(data);
        return JavaConverters.asScalaIterator(Collections.singletonList(data).iterator());
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
