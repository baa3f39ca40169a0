package io.m3spark.jobs.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Serializable;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** How sessions are set up for serialisation: Kryo with our registrator, locally and whenever Kryo is switched on. */
class SparkSessionsTest {
  private static final String KRYO = KryoSerializer.class.getName();
  private static final String OURS = M3sparkKryoRegistrator.class.getName();

  /** Shipped by a job but unknown to the registrator. */
  record Unregistered(int value) implements Serializable {}

  @Test
  void embeddedSessionsSerialiseWithKryoAndRefuseUnregisteredClassesInTests() {
    SparkSession spark = SparkSessions.local("spark-sessions-test", 2);
    try {
      SparkConf conf = spark.sparkContext().getConf();
      assertEquals(KRYO, conf.get("spark.serializer"));
      assertEquals(OURS, conf.get("spark.kryo.registrator"));
      assertEquals("true", conf.get(RequireKryoRegistration.PROPERTY), "set for the whole suite");
      JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      assertEquals(List.of(2, 4), sc.parallelize(List.of(1, 2), 2).map(i -> i * 2).collect());
      SparkException e = assertThrows(SparkException.class,
          () -> sc.parallelize(List.of(1, 2), 2).map(Unregistered::new).collect());
      assertTrue(e.getMessage().contains("Class is not registered: " + Unregistered.class.getName()), e.getMessage());
    } finally {
      spark.stop();
    }
  }

  @Test
  void ourRegistratorJoinsWhateverSwitchedKryoOn() {
    SparkConf java = new SparkConf(false);
    SparkSessions.addKryoRegistrator(java);
    assertFalse(java.contains("spark.kryo.registrator"), "Java serialisation needs no registrator");

    SparkConf kryo = new SparkConf(false).set("spark.serializer", KRYO);
    SparkSessions.addKryoRegistrator(kryo);
    assertEquals(OURS, kryo.get("spark.kryo.registrator"));

    SparkConf theirs = new SparkConf(false).set("spark.serializer", KRYO).set("spark.kryo.registrator", "com.x.Reg");
    SparkSessions.addKryoRegistrator(theirs);
    assertEquals(OURS + ",com.x.Reg", theirs.get("spark.kryo.registrator"));
    SparkSessions.addKryoRegistrator(theirs);
    assertEquals(OURS + ",com.x.Reg", theirs.get("spark.kryo.registrator"), "added once");
  }
}
