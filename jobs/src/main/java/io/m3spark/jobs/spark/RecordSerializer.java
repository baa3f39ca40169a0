package io.m3spark.jobs.spark;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;

/**
 * Kryo serialisation of any Java record through its public shape: each component read with its accessor, the record
 * rebuilt with its canonical constructor, so the constructor's checks and defensive copies run again (as they do when
 * Java serialisation reads a record). Kryo 4's {@code FieldSerializer} cannot handle records: it builds an empty object
 * and then sets its fields, which Java 17 refuses for a record's final fields.
 *
 * <p>Primitive components are written as such (ints and longs as variable-length, floats and doubles as their raw
 * bits, so values come back bit for bit). A component whose declared type is final (String, an array of primitives or
 * of a final class, another record, an enum without constant bodies) is written without its class; any other (an
 * interface such as {@code List}, a type variable) with its class, so whatever implementation it holds comes back.
 * Every non-primitive component may be null.
 */
public final class RecordSerializer<T extends Record> extends Serializer<T> {
  private final Class<T> type;
  private final Method[] accessors;
  private final Class<?>[] types;
  private final boolean[] writeClass;
  private final Constructor<T> constructor;

  /** Called by Kryo for each record class it meets ({@code Kryo.addDefaultSerializer(Record.class, ...)}). */
  public RecordSerializer(Kryo kryo, Class<T> type) {
    this.type = type;
    RecordComponent[] components = type.getRecordComponents();
    accessors = new Method[components.length];
    types = new Class<?>[components.length];
    writeClass = new boolean[components.length];
    for (int i = 0; i < components.length; i++) {
      accessors[i] = components[i].getAccessor();
      accessors[i].setAccessible(true); // records nested in non-public classes, package-private records
      types[i] = components[i].getType();
      writeClass[i] = !types[i].isPrimitive() && !kryo.isFinal(types[i]);
    }
    try {
      constructor = type.getDeclaredConstructor(types);
      constructor.setAccessible(true);
    } catch (NoSuchMethodException e) {
      throw new IllegalArgumentException("record " + type.getName() + " has no canonical constructor", e);
    }
    setImmutable(true); // records are (shallowly) immutable: Kryo.copy, which Spark does not use, may share them
  }

  @Override
  public void write(Kryo kryo, Output output, T record) {
    for (int i = 0; i < accessors.length; i++) {
      Object value;
      try {
        value = accessors[i].invoke(record);
      } catch (IllegalAccessException | InvocationTargetException e) {
        throw new KryoException("cannot read component " + accessors[i].getName() + " of " + type.getName(), e);
      }
      writeComponent(kryo, output, i, value);
    }
  }

  private void writeComponent(Kryo kryo, Output output, int i, Object value) {
    Class<?> t = types[i];
    if (t == int.class) {
      output.writeVarInt((Integer) value, false);
    } else if (t == long.class) {
      output.writeVarLong((Long) value, false);
    } else if (t == float.class) {
      output.writeInt(Float.floatToRawIntBits((Float) value));
    } else if (t == double.class) {
      output.writeLong(Double.doubleToRawLongBits((Double) value));
    } else if (t == boolean.class) {
      output.writeBoolean((Boolean) value);
    } else if (t == byte.class) {
      output.writeByte((Byte) value);
    } else if (t == short.class) {
      output.writeShort((Short) value);
    } else if (t == char.class) {
      output.writeChar((Character) value);
    } else if (writeClass[i]) {
      kryo.writeClassAndObject(output, value);
    } else {
      kryo.writeObjectOrNull(output, value, t);
    }
  }

  @Override
  public T read(Kryo kryo, Input input, Class<T> requested) {
    Object[] values = new Object[types.length];
    for (int i = 0; i < types.length; i++) {
      values[i] = readComponent(kryo, input, i);
    }
    try {
      return constructor.newInstance(values);
    } catch (InvocationTargetException e) {
      throw new KryoException("cannot rebuild " + type.getName() + ": its constructor refused the values read ("
          + e.getCause() + ")", e.getCause());
    } catch (InstantiationException | IllegalAccessException e) {
      throw new KryoException("cannot rebuild " + type.getName(), e);
    }
  }

  private Object readComponent(Kryo kryo, Input input, int i) {
    Class<?> t = types[i];
    if (t == int.class) {
      return input.readVarInt(false);
    } else if (t == long.class) {
      return input.readVarLong(false);
    } else if (t == float.class) {
      return Float.intBitsToFloat(input.readInt());
    } else if (t == double.class) {
      return Double.longBitsToDouble(input.readLong());
    } else if (t == boolean.class) {
      return input.readBoolean();
    } else if (t == byte.class) {
      return input.readByte();
    } else if (t == short.class) {
      return input.readShort();
    } else if (t == char.class) {
      return input.readChar();
    } else if (writeClass[i]) {
      return kryo.readClassAndObject(input);
    }
    return kryo.readObjectOrNull(input, t);
  }
}
