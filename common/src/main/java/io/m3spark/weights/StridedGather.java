package io.m3spark.weights;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;

/** Turns a strided view of a storage (PyTorch's offset, sizes and strides) into a contiguous row-major tensor. */
final class StridedGather {
  private StridedGather() {}

  /**
   * The view's elements, row-major. A view that is already contiguous shares the storage's bytes; any other
   * (a transpose, a slice with steps) is copied element by element. Every addressed element is bounds-checked
   * against {@code storageNumel} first.
   */
  static HostTensor gather(Path file, String storageName, DType dtype, ByteBuffer storage, long storageNumel,
      long offset, long[] shape, long[] strides) throws WeightsFormatException {
    long numel;
    long bytes;
    try {
      numel = HostTensor.numel(shape);
      bytes = HostTensor.byteSize(dtype, shape);
    } catch (ArithmeticException e) {
      throw new WeightsFormatException(file, "tensor shape " + Arrays.toString(shape) + " is too large");
    }
    int es = dtype.byteSize();
    if (numel == 0) {
      return new HostTensor(dtype, shape, ByteBuffer.allocate(0));
    }
    long last = offset; // the highest element index the view touches
    try {
      for (int d = 0; d < shape.length; d++) {
        last = Math.addExact(last, Math.multiplyExact(shape[d] - 1, strides[d]));
      }
    } catch (ArithmeticException e) {
      last = Long.MAX_VALUE;
    }
    if (offset < 0 || last >= storageNumel) {
      throw new WeightsFormatException(file, "tensor view (offset " + offset + ", size " + Arrays.toString(shape)
          + ", stride " + Arrays.toString(strides) + ") reaches beyond " + storageName + " of " + storageNumel + " elements");
    }
    if (bytes > Integer.MAX_VALUE) {
      throw new WeightsFormatException(file, "tensor " + Arrays.toString(shape) + " is over 2 GiB; not supported");
    }
    if (isContiguous(shape, strides)) {
      // offset + numel ≤ storageNumel (checked above) and the storage is one buffer, so these fit an int
      ByteBuffer view = storage.duplicate().position((int) (offset * es)).limit((int) ((offset + numel) * es));
      return new HostTensor(dtype, shape, view);
    }
    ByteBuffer out = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
    byte[] element = new byte[es];
    long[] index = new long[shape.length];
    long src = offset;
    for (long n = 0; n < numel; n++) {
      storage.get((int) (src * es), element);
      out.put(element);
      // advance the multi-index like an odometer, keeping src = offset + sum(index * stride)
      for (int d = shape.length - 1; d >= 0; d--) {
        if (++index[d] < shape[d]) {
          src += strides[d];
          break;
        }
        src -= (shape[d] - 1) * strides[d];
        index[d] = 0;
      }
    }
    return new HostTensor(dtype, shape, out.flip());
  }

  /** Row-major contiguity; dimensions of size 1 may have any stride (PyTorch does not normalise them). */
  static boolean isContiguous(long[] shape, long[] strides) {
    long expected = 1;
    for (int d = shape.length - 1; d >= 0; d--) {
      if (shape[d] != 1 && strides[d] != expected) {
        return false;
      }
      try {
        expected = Math.multiplyExact(expected, shape[d]);
      } catch (ArithmeticException e) {
        return false; // a shape this large is refused by gather; calling it strided keeps it off the shared path
      }
    }
    return true;
  }
}
