package io.m3spark.weights;

import java.util.Locale;

/** Element types that appear in checkpoint files, with their size and their names in each format. */
public enum DType {
  F64(8, "F64"),
  F32(4, "F32"),
  F16(2, "F16"),
  BF16(2, "BF16"),
  I64(8, "I64"),
  I32(4, "I32"),
  I16(2, "I16"),
  I8(1, "I8"),
  U8(1, "U8"),
  BOOL(1, "BOOL");

  private final int byteSize;
  private final String safetensorsName;

  DType(int byteSize, String safetensorsName) {
    this.byteSize = byteSize;
    this.safetensorsName = safetensorsName;
  }

  public int byteSize() {
    return byteSize;
  }

  public String safetensorsName() {
    return safetensorsName;
  }

  public boolean isFloatingPoint() {
    return this == F64 || this == F32 || this == F16 || this == BF16;
  }

  /** The type a safetensors header names, or null when the name is not one we read. */
  public static DType fromSafetensors(String name) {
    for (DType t : values()) {
      if (t.safetensorsName.equals(name.toUpperCase(Locale.ROOT))) {
        return t;
      }
    }
    return null;
  }
}
