package io.m3spark.jobs.spark;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * Kryo serialisers for the immutable collections of Java 9+ — {@code List.of}/{@code copyOf}, {@code Stream.toList},
 * {@code Set.of}, {@code Map.of}/{@code copyOf} — which Kryo 4's collection serialisers cannot read back: they create an
 * empty instance and call {@code add}/{@code put}, which these classes refuse. Each is written as its elements (each
 * with its class) and rebuilt with the factory of its kind, so the copy is as immutable, as null-hostile and in the same
 * order as the original ({@code Set.of}/{@code Map.of} iteration order differs between JVMs anyway).
 */
final class JdkCollectionSerializers {

  private JdkCollectionSerializers() {}

  /** Registers every class this covers, in a fixed order (Kryo ids follow the order of registration). */
  static void register(Kryo kryo) {
    // Examples of each factory's classes; several share one (List.of() and Stream.toList() both give ListN).
    registerClassesOf(kryo, new Elements(JdkCollectionSerializers::immutableList), List.of(), List.of(1),
        List.of(1, 2, 3), List.of(1, 2, 3).subList(0, 2));
    registerClassesOf(kryo, new Elements(Set::of), Set.of(), Set.of(1), Set.of(1, 2, 3));
    registerClassesOf(kryo, new Entries(Map::copyOf), Map.of(), Map.of(1, 1), Map.of(1, 1, 2, 2));
    // Kryo 4 has serialisers for these already; registering them saves writing their class names. The
    // Collections.unmodifiable* views and Arrays.asList are registered by Spark (chill's serialisers), after us.
    for (Object example : List.of(Collections.emptyList(), Collections.emptySet(), Collections.emptyMap(),
        Collections.singletonList(1), Collections.singleton(1), Collections.singletonMap(1, 1))) {
      kryo.register(example.getClass());
    }
  }

  private static void registerClassesOf(Kryo kryo, Serializer<?> serializer, Object... examples) {
    Set<Class<?>> classes = new LinkedHashSet<>();
    for (Object example : examples) {
      classes.add(example.getClass());
    }
    classes.forEach(c -> kryo.register(c, serializer));
  }

  /** {@code List.of} semantics when there is no null; a list from {@code Stream.toList} may hold nulls. */
  private static List<Object> immutableList(Object[] elements) {
    return Arrays.stream(elements).anyMatch(Objects::isNull) ? Arrays.stream(elements).toList() : List.of(elements);
  }

  /** A collection as its size and elements (each with its class); read back through {@code rebuild}. */
  private static final class Elements extends Serializer<Collection<Object>> {
    private final Function<Object[], Collection<Object>> rebuild;

    Elements(Function<Object[], Collection<Object>> rebuild) {
      this.rebuild = rebuild;
      setImmutable(true);
    }

    @Override
    public void write(Kryo kryo, Output output, Collection<Object> collection) {
      output.writeVarInt(collection.size(), true);
      for (Object element : collection) {
        kryo.writeClassAndObject(output, element);
      }
    }

    @Override
    public Collection<Object> read(Kryo kryo, Input input, Class<Collection<Object>> type) {
      Object[] elements = new Object[input.readVarInt(true)];
      for (int i = 0; i < elements.length; i++) {
        elements[i] = kryo.readClassAndObject(input);
      }
      return rebuild.apply(elements);
    }
  }

  /** A map as its size and entries in iteration order; read back through {@code rebuild}. */
  private static final class Entries extends Serializer<Map<Object, Object>> {
    private final Function<LinkedHashMap<Object, Object>, Map<Object, Object>> rebuild;

    Entries(Function<LinkedHashMap<Object, Object>, Map<Object, Object>> rebuild) {
      this.rebuild = rebuild;
      setImmutable(true);
    }

    @Override
    public void write(Kryo kryo, Output output, Map<Object, Object> map) {
      output.writeVarInt(map.size(), true);
      for (Map.Entry<Object, Object> e : map.entrySet()) {
        kryo.writeClassAndObject(output, e.getKey());
        kryo.writeClassAndObject(output, e.getValue());
      }
    }

    @Override
    public Map<Object, Object> read(Kryo kryo, Input input, Class<Map<Object, Object>> type) {
      int size = input.readVarInt(true);
      LinkedHashMap<Object, Object> entries = new LinkedHashMap<>(Math.max(16, size * 4 / 3 + 1));
      for (int i = 0; i < size; i++) {
        Object key = kryo.readClassAndObject(input);
        entries.put(key, kryo.readClassAndObject(input));
      }
      return rebuild.apply(entries);
    }
  }
}
