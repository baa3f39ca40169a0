package io.m3spark.jobs.spark;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.lang.reflect.Field;
import java.util.EnumMap;
import java.util.Map;

/**
 * An {@link EnumMap} as its key type, size and (ordinal, value) entries. Kryo 4 would build one without its key type
 * (it has no no-argument constructor) and fail at the first {@code put}. The key type of an empty map is only in a
 * private field, read by reflection: this needs {@code --add-opens=java.base/java.util=ALL-UNNAMED}, which Spark 3.5
 * adds to the driver's and executors' JVMs itself, and which chill's serialisers of the
 * {@code Collections.unmodifiable*} views (registered by Spark) need as well.
 */
@SuppressWarnings({"rawtypes", "unchecked"}) // the key type is only known at run time
final class EnumMapSerializer extends Serializer<EnumMap> {
  private Field keyType;

  @Override
  public void write(Kryo kryo, Output output, EnumMap map) {
    kryo.writeClass(output, keyType(map));
    output.writeVarInt(map.size(), true);
    for (Object o : map.entrySet()) {
      Map.Entry<Enum<?>, Object> e = (Map.Entry<Enum<?>, Object>) o;
      output.writeVarInt(e.getKey().ordinal(), true);
      kryo.writeClassAndObject(output, e.getValue());
    }
  }

  @Override
  public EnumMap read(Kryo kryo, Input input, Class<EnumMap> type) {
    Class keys = kryo.readClass(input).getType();
    Object[] constants = keys.getEnumConstants();
    EnumMap map = new EnumMap(keys);
    int size = input.readVarInt(true);
    for (int i = 0; i < size; i++) {
      Enum key = (Enum) constants[input.readVarInt(true)];
      map.put(key, kryo.readClassAndObject(input));
    }
    return map;
  }

  private Class<?> keyType(EnumMap<?, ?> map) {
    try {
      if (keyType == null) {
        Field f = EnumMap.class.getDeclaredField("keyType");
        f.setAccessible(true);
        keyType = f;
      }
      return (Class<?>) keyType.get(map);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new KryoException("cannot read the key type of an EnumMap: run the JVM with "
          + "--add-opens=java.base/java.util=ALL-UNNAMED (Spark 3.5 adds it unless its java options were replaced)", e);
    }
  }
}
