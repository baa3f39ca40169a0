package io.m3spark.weights;

import java.util.Map;

/** PyTorch's legacy typed-storage class names, which its pickles use to say the element type of a storage. */
final class TorchStorageTypes {
  private TorchStorageTypes() {}

  private static final Map<String, DType> BY_NAME = Map.of(
      "FloatStorage", DType.F32,
      "DoubleStorage", DType.F64,
      "HalfStorage", DType.F16,
      "BFloat16Storage", DType.BF16,
      "LongStorage", DType.I64,
      "IntStorage", DType.I32,
      "ShortStorage", DType.I16,
      "CharStorage", DType.I8,
      "ByteStorage", DType.U8,
      "BoolStorage", DType.BOOL);

  /** The element type of {@code torch.<name>}, or null when the name is not a typed storage. */
  static DType dtypeOf(String name) {
    return BY_NAME.get(name);
  }

  /** The class name (without the {@code torch.} module) for storages of {@code dtype}. */
  static String nameOf(DType dtype) {
    for (Map.Entry<String, DType> e : BY_NAME.entrySet()) {
      if (e.getValue() == dtype) {
        return e.getKey();
      }
    }
    throw new IllegalArgumentException("no torch storage type for " + dtype);
  }

  /** Qualified names of all typed storages, for the pickle allow-list. */
  static Iterable<String> qualifiedNames() {
    return BY_NAME.keySet().stream().map(n -> "torch." + n).toList();
  }
}
