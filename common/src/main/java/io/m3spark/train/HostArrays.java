package io.m3spark.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.m3spark.weights.DType;
import io.m3spark.weights.HostTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Bit-exact copies between device arrays and {@link HostTensor}s, keeping the element type: optimizer state must come
 * back from a checkpoint exactly as it was, so nothing is converted through float32.
 */
final class HostArrays {
  private HostArrays() {}

  static HostTensor toHost(NDArray a) {
    ByteBuffer raw = a.toByteBuffer().order(ByteOrder.nativeOrder());
    ByteBuffer le = ByteBuffer.allocate(raw.remaining()).order(ByteOrder.LITTLE_ENDIAN);
    copyElements(raw, le, a.getDataType().getNumOfBytes());
    return new HostTensor(dtype(a.getDataType()), a.getShape().getShape(), le.flip());
  }

  static NDArray toDevice(HostTensor t, NDManager manager) {
    ByteBuffer le = t.bytes();
    ByteBuffer nativeBytes = ByteBuffer.allocateDirect(le.remaining()).order(ByteOrder.nativeOrder());
    copyElements(le, nativeBytes, t.dtype().byteSize());
    return manager.create(nativeBytes.flip(), new Shape(t.shape()), dataType(t.dtype()));
  }

  /** Copies element by element so that the byte order of {@code to} is honoured whatever the order of {@code from}. */
  private static void copyElements(ByteBuffer from, ByteBuffer to, int width) {
    if (from.order() == to.order() || width == 1) {
      to.put(from.duplicate());
      return;
    }
    for (int i = from.position(); i < from.limit(); i += width) {
      switch (width) {
        case 2 -> to.putShort(from.getShort(i));
        case 4 -> to.putInt(from.getInt(i));
        case 8 -> to.putLong(from.getLong(i));
        default -> throw new IllegalArgumentException("unsupported element width " + width);
      }
    }
  }

  private static DType dtype(DataType d) {
    return switch (d) {
      case FLOAT64 -> DType.F64;
      case FLOAT32 -> DType.F32;
      case FLOAT16 -> DType.F16;
      case BFLOAT16 -> DType.BF16;
      default -> throw new IllegalArgumentException("optimizer state of type " + d + " is not supported");
    };
  }

  private static DataType dataType(DType d) {
    return switch (d) {
      case F64 -> DataType.FLOAT64;
      case F32 -> DataType.FLOAT32;
      case F16 -> DataType.FLOAT16;
      case BF16 -> DataType.BFLOAT16;
      default -> throw new IllegalArgumentException("optimizer state of type " + d + " is not supported");
    };
  }
}
