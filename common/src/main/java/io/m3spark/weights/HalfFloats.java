package io.m3spark.weights;

/** IEEE 754 binary16 conversions (Java 17 has no Float.float16ToFloat). Both are exact where the value fits. */
public final class HalfFloats {
  private HalfFloats() {}

  /** The float32 value of a binary16 bit pattern (exact; NaN payloads are kept). */
  public static float halfToFloat(short half) {
    int h = half & 0xffff;
    int sign = (h & 0x8000) << 16;
    int exp = (h >>> 10) & 0x1f;
    int mant = h & 0x3ff;
    if (exp == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    }
    if (exp == 0) {
      if (mant == 0) {
        return Float.intBitsToFloat(sign);
      }
      // subnormal: value = mant * 2^-24
      float v = mant * 0x1p-24f;
      return sign == 0 ? v : -v;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }

  /** The nearest binary16, ties to even, as PyTorch's {@code .half()} does; NaN becomes the quiet NaN 0x7e00. */
  public static short floatToHalf(float f) {
    int bits = Float.floatToRawIntBits(f);
    int sign = (bits >>> 16) & 0x8000;
    int abs = bits & 0x7fffffff;
    if (abs >= 0x7f800000) {
      return (short) (sign | 0x7c00 | (abs > 0x7f800000 ? 0x200 : 0));
    }
    if (abs >= 0x477ff000) { // rounds to >= 65520: overflow to infinity
      return (short) (sign | 0x7c00);
    }
    if (abs <= 0x33000000) { // at most half the smallest subnormal (2^-25): rounds to zero, a tie to even
      return (short) sign;
    }
    if (abs < 0x38800000) { // below the smallest normal half: subnormal
      // shift + 13 stays within 14..25 here, so the int shifts below cannot wrap
      int shift = 113 - (abs >>> 23);
      int mant = (abs & 0x7fffff) | 0x800000;
      // round to nearest even at bit position shift+13 of the 24-bit mantissa
      int total = shift + 13;
      int q = mant >>> total;
      int rem = mant & ((1 << total) - 1);
      int halfway = 1 << (total - 1);
      if (rem > halfway || (rem == halfway && (q & 1) == 1)) {
        q++;
      }
      return (short) (sign | q);
    }
    int rounded = abs + 0xfff + ((abs >>> 13) & 1);
    return (short) (sign | ((rounded - 0x38000000) >>> 13));
  }
}
