package io.m3spark.jobs.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Registration;
import io.m3spark.search.BoundedTopK;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.junit.jupiter.api.Test;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * Every class {@link M3sparkKryoRegistrator} registers, and the JDK collections it covers, survive a round trip through
 * Spark's {@code KryoSerializer} as our jobs configure it (registration required): equal value for value, floats and
 * doubles bit for bit, nulls kept, immutable collections still immutable.
 */
class M3sparkKryoRegistratorTest {
  private static final ClassTag<Object> ANY = ClassTag$.MODULE$.apply(Object.class);

  private static SparkConf conf() {
    return new SparkConf(false).set("spark.kryo.registrator", M3sparkKryoRegistrator.class.getName())
        .set("spark.kryo.registrationRequired", "true");
  }

  @Test
  void everySampleComesBackEqual() {
    SerializerInstance kryo = new KryoSerializer(conf()).newInstance();
    for (Object sample : SerializationSamples.all()) {
      ByteBuffer bytes = kryo.serialize(sample, ANY);
      Object back = kryo.deserialize(bytes, ANY);
      assertSameValue(describe(sample), sample, back);
    }
  }

  @Test
  void everyRegisteredClassOfOursHasASample() {
    Set<Class<?>> sampled = SerializationSamples.all().stream().map(Object::getClass).collect(Collectors.toSet());
    List<String> missing = new ArrayList<>();
    for (Class<?> c : ourRegistrations(new KryoSerializer(conf()).newKryo())) {
      if (!sampled.contains(c)) {
        missing.add(c.getName());
      }
    }
    assertEquals(List.of(), missing, "registered without a round-trip sample");
  }

  @Test
  void registrationIdsAreTheSameInEveryKryo() {
    // The driver and each executor build their own Kryo; a class must get the same id in all of them.
    Kryo a = new KryoSerializer(conf()).newKryo();
    Kryo b = new KryoSerializer(conf()).newKryo();
    assertEquals(a.getNextRegistrationId(), b.getNextRegistrationId());
    for (int id = 0; id < a.getNextRegistrationId(); id++) {
      assertEquals(typeOf(a.getRegistration(id)), typeOf(b.getRegistration(id)), "id " + id);
    }
  }

  @Test
  void immutableCollectionsStayImmutable() {
    SerializerInstance kryo = new KryoSerializer(conf()).newInstance();
    for (Object sample : List.of(List.of(1, 2, 3), Set.of("a"), Map.of("k", 1))) {
      Object back = kryo.deserialize(kryo.serialize(sample, ANY), ANY);
      if (back instanceof Collection<?> c) {
        assertThrows(UnsupportedOperationException.class, () -> add(c));
      } else {
        assertThrows(UnsupportedOperationException.class, () -> put((Map<?, ?>) back));
      }
    }
  }

  @Test
  void unregisteredClassesAreRefused() {
    record NotRegistered(int x) {}
    SerializerInstance kryo = new KryoSerializer(conf()).newInstance();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> kryo.serialize(new NotRegistered(1), ANY));
    assertTrue(e.getMessage().contains("Class is not registered"), e.getMessage());
  }

  @Test
  void recordsOutsideTheRegistrationStillRoundTripWhenRegistrationIsOptional() {
    record NotRegistered(String name, List<Integer> values, float score) {}
    SerializerInstance kryo = new KryoSerializer(conf().set("spark.kryo.registrationRequired", "false")).newInstance();
    NotRegistered r = new NotRegistered("x", List.of(1, 2), 0.5f);
    assertEquals(r, kryo.deserialize(kryo.serialize(r, ANY), ANY));
  }

  /** Classes from m3spark and the JDK collection classes our registrator registers (Spark registers the rest). */
  static Set<Class<?>> ourRegistrations(Kryo kryo) {
    Set<Class<?>> ours = new LinkedHashSet<>();
    for (int id = 0; id < kryo.getNextRegistrationId(); id++) {
      Registration r = kryo.getRegistration(id);
      if (r == null) {
        continue;
      }
      Class<?> c = r.getType();
      Class<?> element = c;
      while (element.isArray()) {
        element = element.getComponentType();
      }
      String name = element.getName();
      boolean serializerOfOurs = r.getSerializer().getClass().getName().startsWith("io.m3spark.");
      if (name.startsWith("io.m3spark.") || serializerOfOurs) {
        ours.add(c);
      }
    }
    return ours;
  }

  private static void assertSameValue(String path, Object expected, Object actual) {
    if (expected == null) {
      assertNull(actual, path);
      return;
    }
    assertNotNull(actual, path);
    if (expected instanceof Float f) {
      assertEquals(Float.floatToRawIntBits(f), Float.floatToRawIntBits((Float) actual), path);
    } else if (expected instanceof Double d) {
      assertEquals(Double.doubleToRawLongBits(d), Double.doubleToRawLongBits((Double) actual), path);
    } else if (expected.getClass().isArray()) {
      assertEquals(expected.getClass(), actual.getClass(), path);
      assertEquals(Array.getLength(expected), Array.getLength(actual), path + " length");
      for (int i = 0; i < Array.getLength(expected); i++) {
        assertSameValue(path + "[" + i + "]", Array.get(expected, i), Array.get(actual, i));
      }
    } else if (expected instanceof Record) {
      assertEquals(expected.getClass(), actual.getClass(), path);
      for (RecordComponent c : expected.getClass().getRecordComponents()) {
        assertSameValue(path + "." + c.getName(), invoke(c, expected), invoke(c, actual));
      }
    } else if (expected instanceof List<?> list) {
      assertTrue(actual instanceof List<?>, path);
      assertEquals(list.size(), ((List<?>) actual).size(), path + " size");
      Iterator<?> it = ((List<?>) actual).iterator();
      for (int i = 0; i < list.size(); i++) {
        assertSameValue(path + "[" + i + "]", list.get(i), it.next());
      }
    } else if (expected instanceof Collection<?> || expected instanceof Map<?, ?>) {
      assertEquals(expected, actual, path);
      assertEquals(expected.getClass().getPackageName(), actual.getClass().getPackageName(), path);
    } else if (expected instanceof BoundedTopK top) {
      assertEquals(top.k(), ((BoundedTopK) actual).k(), path + " k");
      assertArrayEquals(top.sorted(), ((BoundedTopK) actual).sorted(), path);
    } else if (hasOwnEquals(expected.getClass())) {
      assertEquals(expected, actual, path);
    } else {
      // plain classes without equals (MiningStats, histograms, HitListWire): field by field
      assertEquals(expected.getClass(), actual.getClass(), path);
      for (Class<?> c = expected.getClass(); c != Object.class; c = c.getSuperclass()) {
        for (Field f : c.getDeclaredFields()) {
          if (!Modifier.isStatic(f.getModifiers())) {
            f.setAccessible(true);
            assertSameValue(path + "." + f.getName(), get(f, expected), get(f, actual));
          }
        }
      }
    }
  }

  private static Class<?> typeOf(Registration r) {
    return r == null ? null : r.getType();
  }

  private static boolean hasOwnEquals(Class<?> c) {
    try {
      return c.getMethod("equals", Object.class).getDeclaringClass() != Object.class;
    } catch (NoSuchMethodException e) {
      throw new AssertionError(e);
    }
  }

  private static Object invoke(RecordComponent c, Object record) {
    try {
      c.getAccessor().setAccessible(true);
      return c.getAccessor().invoke(record);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }

  private static Object get(Field f, Object o) {
    try {
      return f.get(o);
    } catch (IllegalAccessException e) {
      throw new AssertionError(e);
    }
  }

  private static String describe(Object sample) {
    String s = String.valueOf(sample);
    return sample.getClass().getName() + " " + (s.length() > 80 ? s.substring(0, 80) + "…" : s);
  }

  @SuppressWarnings("unchecked")
  private static void add(Collection<?> c) {
    ((Collection<Object>) c).add("more");
  }

  @SuppressWarnings("unchecked")
  private static void put(Map<?, ?> m) {
    ((Map<Object, Object>) m).put("more", 1);
  }
}
