package io.m3spark.weights;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A tensor in host memory as a checkpoint stores it: element type, shape and raw little-endian bytes (row-major).
 * The bytes may be a memory-mapped region of the file; nothing is copied until {@link #toFloats()} is called.
 */
public record HostTensor(DType dtype, long[] shape, ByteBuffer data) {

  public HostTensor {
    shape = shape.clone();
    long expected;
    try {
      expected = byteSize(dtype, shape);
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("tensor of " + dtype + Arrays.toString(shape) + " is too large to address");
    }
    if (data.remaining() != expected) {
      throw new IllegalArgumentException(
          "tensor of " + dtype + Arrays.toString(shape) + " needs " + expected + " bytes, got " + data.remaining());
    }
    data = data.slice().order(ByteOrder.LITTLE_ENDIAN);
  }

  /** A float32 tensor holding a copy of {@code values}. */
  public static HostTensor ofFloats(float[] values, long... shape) {
    ByteBuffer buf = ByteBuffer.allocate(Math.multiplyExact(values.length, 4)).order(ByteOrder.LITTLE_ENDIAN);
    buf.asFloatBuffer().put(values);
    return new HostTensor(DType.F32, shape, buf);
  }

  public static long numel(long[] shape) {
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
      }
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  /**
   * Bytes of a tensor of {@code dtype} and {@code shape}, computed exactly: a shape from a file may claim 2^62
   * elements, whose byte count would wrap around to a small number.
   *
   * @throws ArithmeticException if the count does not fit a long
   * @throws IllegalArgumentException if a dimension is negative
   */
  public static long byteSize(DType dtype, long[] shape) {
    return Math.multiplyExact(numel(shape), dtype.byteSize());
  }

  public long numel() {
    return numel(shape);
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  /** A read-only view of the raw bytes, little-endian, positioned at 0. */
  public ByteBuffer bytes() {
    return data.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  /** The values converted to float32 (F16 and BF16 exactly, F64 rounded). */
  public float[] toFloats() {
    long n = numel();
    if (n > Integer.MAX_VALUE) {
      throw new IllegalStateException("tensor too large for one float array: " + Arrays.toString(shape));
    }
    float[] out = new float[(int) n];
    ByteBuffer b = bytes();
    switch (dtype) {
      case F32 -> b.asFloatBuffer().get(out);
      case F64 -> {
        for (int i = 0; i < out.length; i++) {
          out[i] = (float) b.getDouble(i * 8);
        }
      }
      case F16 -> {
        for (int i = 0; i < out.length; i++) {
          out[i] = HalfFloats.halfToFloat(b.getShort(i * 2));
        }
      }
      case BF16 -> {
        for (int i = 0; i < out.length; i++) {
          out[i] = Float.intBitsToFloat((b.getShort(i * 2) & 0xffff) << 16);
        }
      }
      default -> throw new IllegalStateException("not a floating-point tensor: " + dtype);
    }
    return out;
  }

  @Override
  public String toString() {
    return "HostTensor[" + dtype + Arrays.toString(shape) + "]";
  }
}
