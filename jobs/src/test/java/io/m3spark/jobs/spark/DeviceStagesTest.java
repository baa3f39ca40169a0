package io.m3spark.jobs.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * The shape of device tasks under the settings users run with, the CUDA numbering of assigned GPUs, and local mode
 * (no task profiles there). The profiles themselves are exercised on a real cluster by the cluster suite.
 */
class DeviceStagesTest {

  private static DeviceStages.TaskShape shape(String... keyValues) {
    SparkConf conf = new SparkConf(false);
    for (int i = 0; i < keyValues.length; i += 2) {
      conf.set(keyValues[i], keyValues[i + 1]);
    }
    return DeviceStages.deviceTask(conf);
  }

  @Test
  void oneGpuPerDeviceTaskWithTheExecutorsCoresSharedBetweenItsGpus() {
    assertEquals(new DeviceStages.TaskShape(8, 1), shape("spark.executor.cores", "8",
        "spark.executor.resource.gpu.amount", "1"));
    assertEquals(new DeviceStages.TaskShape(4, 1), shape("spark.executor.cores", "8",
        "spark.executor.resource.gpu.amount", "2"));
    assertEquals(new DeviceStages.TaskShape(1, 1), shape("spark.executor.cores", "2",
        "spark.executor.resource.gpu.amount", "4"));
    assertEquals("8 CPU(s) + 1 GPU", shape("spark.executor.cores", "8",
        "spark.executor.resource.gpu.amount", "1").toString());
  }

  @Test
  void withoutGpusADeviceTaskTakesTheWholeExecutor() {
    assertEquals(new DeviceStages.TaskShape(8, 0), shape("spark.executor.cores", "8"));
    assertEquals(new DeviceStages.TaskShape(2, 0), shape("spark.task.cpus", "2"), "executor cores unknown");
    assertEquals(new DeviceStages.TaskShape(1, 1), shape("spark.executor.resource.gpu.amount", "1"));
  }

  @Test
  void assignedGpusAreNumberedAsCudaSeesThem() {
    assertEquals(3, TaskDevices.cudaOrdinal("3", null));
    assertEquals(3, TaskDevices.cudaOrdinal(" 3", ""));
    assertEquals(0, TaskDevices.cudaOrdinal("3", "3"));
    assertEquals(1, TaskDevices.cudaOrdinal("5", "4, 5"));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> TaskDevices.cudaOrdinal("2", "0,1"));
    assertTrue(e.getMessage().contains("CUDA_VISIBLE_DEVICES=0,1"), e.getMessage());
  }

  @Test
  void localModeRunsDeviceWorkAsItIsAndReportsItsDevices() {
    SparkSession spark = SparkSessions.local("device-stages", 2);
    try {
      JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      JavaRDD<Integer> rdd = sc.parallelize(List.of(1, 2, 3), 2);
      assertNull(DeviceStages.profile(sc.sc()));
      assertEquals(rdd, DeviceStages.separate(rdd));
      assertEquals(List.of(1, 2, 3), DeviceStages.assign(rdd).collect());
      assertNull(rdd.rdd().getResourceProfile());
      assertEquals("devices: cpu (libtorch sees no CUDA GPU)", TaskDevices.describe(sc.sc(), List.of()));
      assertEquals("devices: cuda:1 (--devices)", TaskDevices.describe(sc.sc(), List.of("cuda:1")));
      assertEquals(Device.cpu(), TaskDevices.forCurrentTask(List.of()));
    } finally {
      spark.stop();
    }
  }
}
