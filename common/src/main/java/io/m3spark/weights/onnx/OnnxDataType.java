package io.m3spark.weights.onnx;

import io.m3spark.weights.DType;

/** ONNX's {@code TensorProto.DataType} codes and the element types we read them as. */
final class OnnxDataType {
  private static final String[] NAMES = {
    "UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16", "INT32", "INT64", "STRING", "BOOL", "FLOAT16",
    "DOUBLE", "UINT32", "UINT64", "COMPLEX64", "COMPLEX128", "BFLOAT16"
  };

  private OnnxDataType() {}

  /** Our element type for an ONNX code, or null for types no BERT weight uses (strings, unsigned wide ints, …). */
  static DType toDType(int code) {
    return switch (code) {
      case 1 -> DType.F32;
      case 2 -> DType.U8;
      case 3 -> DType.I8;
      case 5 -> DType.I16;
      case 6 -> DType.I32;
      case 7 -> DType.I64;
      case 9 -> DType.BOOL;
      case 10 -> DType.F16;
      case 11 -> DType.F64;
      case 16 -> DType.BF16;
      default -> null;
    };
  }

  static String name(int code) {
    return code >= 0 && code < NAMES.length ? NAMES[code] : "unknown";
  }
}
