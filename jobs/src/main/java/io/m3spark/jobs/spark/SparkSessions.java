package io.m3spark.jobs.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * Where jobs get their SparkSession. Under {@code spark-submit} (or any caller that set {@code spark.master}) the
 * cluster's settings are used untouched; otherwise an embedded {@code local[*]} session with loopback-only networking,
 * which is what the {@code submit/m3spark} launcher and the tests run on.
 */
public final class SparkSessions {
  private SparkSessions() {}

  public static SparkSession getOrCreate(String appName) {
    SparkConf conf = new SparkConf(); // picks up spark.* system properties, as spark-submit passes them
    if (!conf.contains("spark.master")) {
      applyLocalDefaults(conf);
    }
    return SparkSession.builder().appName(appName).config(conf).getOrCreate();
  }

  /** An embedded session on {@code threads} cores with the same defaults (tests, benchmarks, notebooks). */
  public static SparkSession local(String appName, int threads) {
    SparkConf conf = new SparkConf().setMaster("local[" + threads + "]");
    applyLocalDefaults(conf);
    return SparkSession.builder().appName(appName).config(conf).getOrCreate();
  }

  /** The embedded defaults; each can still be overridden with a {@code -Dspark.x=y} system property. */
  static void applyLocalDefaults(SparkConf conf) {
    conf.setIfMissing("spark.master", "local[*]");
    conf.setIfMissing("spark.driver.host", "127.0.0.1");
    conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
    conf.setIfMissing("spark.ui.enabled", "false");
    // Our own progress lines replace the console progress bar.
    conf.setIfMissing("spark.ui.showConsoleProgress", "false");
    // Running tasks report accumulator updates with each heartbeat; progress lines read them.
    conf.setIfMissing("spark.executor.heartbeatInterval", "2s");
    conf.setIfMissing("spark.sql.shuffle.partitions", String.valueOf(Math.max(4, Runtime.getRuntime().availableProcessors() * 2)));
  }
}
