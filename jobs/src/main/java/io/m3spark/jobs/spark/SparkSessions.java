package io.m3spark.jobs.spark;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.sql.SparkSession;

/**
 * Where jobs get their SparkSession. Under {@code spark-submit} (or any caller that set {@code spark.master}) the
 * cluster's settings are used untouched; otherwise an embedded {@code local[*]} session with loopback-only networking,
 * which is what the {@code submit/m3spark} launcher and the tests run on. Either way, when Kryo serialises data
 * ({@code spark.serializer}), {@link M3sparkKryoRegistrator} is among its registrators.
 */
public final class SparkSessions {
  private SparkSessions() {}

  public static SparkSession getOrCreate(String appName) {
    SparkConf conf = new SparkConf(); // picks up spark.* system properties, as spark-submit passes them
    if (!conf.contains("spark.master")) {
      applyLocalDefaults(conf);
    }
    return create(appName, conf);
  }

  /** An embedded session on {@code threads} cores with the same defaults (tests, benchmarks, notebooks). */
  public static SparkSession local(String appName, int threads) {
    SparkConf conf = new SparkConf().setMaster("local[" + threads + "]");
    applyLocalDefaults(conf);
    return create(appName, conf);
  }

  private static SparkSession create(String appName, SparkConf conf) {
    addKryoRegistrator(conf);
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
    // As on a cluster (conf/spark-gpu-cluster.conf): local runs and tests serialise every shuffled, cached and
    // collected value the way cluster runs do.
    conf.setIfMissing("spark.serializer", KryoSerializer.class.getName());
  }

  /**
   * Adds our registrator when Kryo is the serialiser, to whatever registrators are set already: without it, Kryo 4
   * cannot serialise records or {@code List.of} values and every job fails at its first shuffle — also when Kryo was
   * switched on by the cluster's own {@code spark-defaults.conf} rather than by ours.
   */
  static void addKryoRegistrator(SparkConf conf) {
    if (!conf.get("spark.serializer", "").equals(KryoSerializer.class.getName())) {
      return;
    }
    List<String> registrators = new ArrayList<>();
    for (String r : conf.get("spark.kryo.registrator", "").split(",")) {
      if (!r.isBlank()) {
        registrators.add(r.strip());
      }
    }
    if (!registrators.contains(M3sparkKryoRegistrator.class.getName())) {
      registrators.add(0, M3sparkKryoRegistrator.class.getName()); // first: a user's registrator may override ours
      conf.set("spark.kryo.registrator", String.join(",", registrators));
    }
  }
}
