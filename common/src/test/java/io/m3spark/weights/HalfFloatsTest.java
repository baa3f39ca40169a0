package io.m3spark.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class HalfFloatsTest {
  @Test
  void knownHalfBitPatterns() {
    assertEquals(0f, HalfFloats.halfToFloat((short) 0x0000));
    assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(HalfFloats.halfToFloat((short) 0x8000)));
    assertEquals(1f, HalfFloats.halfToFloat((short) 0x3c00));
    assertEquals(-2f, HalfFloats.halfToFloat((short) 0xc000));
    assertEquals(65504f, HalfFloats.halfToFloat((short) 0x7bff));
    assertEquals(0x1p-14f, HalfFloats.halfToFloat((short) 0x0400)); // smallest normal
    assertEquals(0x1p-24f, HalfFloats.halfToFloat((short) 0x0001)); // smallest subnormal
    assertEquals(0x3ffp-24f, HalfFloats.halfToFloat((short) 0x03ff)); // largest subnormal
    assertEquals(-0x1p-24f, HalfFloats.halfToFloat((short) 0x8001));
    assertEquals(Float.POSITIVE_INFINITY, HalfFloats.halfToFloat((short) 0x7c00));
    assertEquals(Float.NEGATIVE_INFINITY, HalfFloats.halfToFloat((short) 0xfc00));
    assertTrue(Float.isNaN(HalfFloats.halfToFloat((short) 0x7e00)));
    assertTrue(Float.isNaN(HalfFloats.halfToFloat((short) 0x7c01)));
    assertEquals(0.333251953125f, HalfFloats.halfToFloat((short) 0x3555));
  }

  @Test
  void everyHalfRoundTrips() {
    for (int h = 0; h < 0x10000; h++) {
      float f = HalfFloats.halfToFloat((short) h);
      if (Float.isNaN(f)) {
        assertEquals(0x7c00, HalfFloats.floatToHalf(f) & 0x7c00, "NaN stays NaN");
        assertTrue(Float.isNaN(HalfFloats.halfToFloat(HalfFloats.floatToHalf(f))));
      } else {
        assertEquals(h, HalfFloats.floatToHalf(f) & 0xffff, Integer.toHexString(h));
      }
    }
  }

  @Test
  void midpointsRoundToNearestEven() {
    for (int sign : new int[] {0, 0x8000}) {
      for (int h = 0; h < 0x7c00; h++) { // every pair of neighbours, the last being (65504, infinity)
        float lo = HalfFloats.halfToFloat((short) (sign | h));
        float hi = h + 1 == 0x7c00 ? Math.copySign(65536f, lo) : HalfFloats.halfToFloat((short) (sign | (h + 1)));
        float mid = (lo + hi) / 2; // exact: halves have 11 significant bits, floats 24
        int even = (h & 1) == 0 ? h : h + 1;
        assertEquals(sign | even, HalfFloats.floatToHalf(mid) & 0xffff, "tie above " + Integer.toHexString(h));
        float towardsLo = sign == 0 ? Math.nextDown(mid) : Math.nextUp(mid);
        float towardsHi = sign == 0 ? Math.nextUp(mid) : Math.nextDown(mid);
        assertEquals(sign | h, HalfFloats.floatToHalf(towardsLo) & 0xffff, "just below mid of " + Integer.toHexString(h));
        assertEquals(sign | (h + 1), HalfFloats.floatToHalf(towardsHi) & 0xffff, "just above mid of " + Integer.toHexString(h));
      }
    }
  }

  @Test
  void handPickedFloats() {
    assertEquals(0x7bff, HalfFloats.floatToHalf(65504f));
    assertEquals(0x7bff, HalfFloats.floatToHalf(65519.996f));
    assertEquals(0x7c00, HalfFloats.floatToHalf(65520f)); // tie between 65504 (odd) and 65536: infinity
    assertEquals(0x7c00, HalfFloats.floatToHalf(1e10f));
    assertEquals((short) 0xfc00, HalfFloats.floatToHalf(Float.NEGATIVE_INFINITY));
    assertEquals(0x7e00, HalfFloats.floatToHalf(Float.NaN));
    assertEquals((short) 0x8000, HalfFloats.floatToHalf(-0f));
    assertEquals(0x0000, HalfFloats.floatToHalf(0x1p-25f)); // tie between 0 and 2^-24: even is 0
    assertEquals(0x0001, HalfFloats.floatToHalf(Math.nextUp(0x1p-25f)));
    assertEquals(0x0002, HalfFloats.floatToHalf(0x3p-25f)); // 1.5 * 2^-24: tie to 2
    assertEquals(0x0002, HalfFloats.floatToHalf(0x5p-25f)); // 2.5 * 2^-24: tie to 2
    assertEquals(0x0000, HalfFloats.floatToHalf(1e-10f));
    assertEquals((short) 0x8000, HalfFloats.floatToHalf(-1e-30f));
    assertEquals(0x0000, HalfFloats.floatToHalf(Float.MIN_VALUE));
    assertEquals(0x0400, HalfFloats.floatToHalf(0x1p-14f));
    assertEquals(0x0400, HalfFloats.floatToHalf(0x3ffp-24f + 0x1p-25f)); // largest subnormal + half ulp: tie up to even 0x400
    assertEquals(0x3c00, HalfFloats.floatToHalf(1f + 0x1p-11f)); // tie to even 1.0
    assertEquals(0x3c02, HalfFloats.floatToHalf(1f + 0x3p-11f)); // tie to even 0x3c02
    assertEquals(0x3555, HalfFloats.floatToHalf(1f / 3));
    assertEquals(0x4248, HalfFloats.floatToHalf((float) Math.PI));
  }

  @Test
  void f16AndBf16TensorsConvertExactly() {
    short[] halves = {0x3c00, (short) 0xc000, 0x0001, 0x03ff, 0x7c00, (short) 0xfc00, 0x7e00, (short) 0x8000};
    float[] f16 = tensor(DType.F16, halves).toFloats();
    assertArrayEquals(new float[] {1f, -2f, 0x1p-24f, 0x3ffp-24f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
        Float.NaN, -0f}, f16);
    short[] bf = {0x3f80, (short) 0xc000, 0x0001, 0x007f, 0x7f80, (short) 0xff80, 0x7fc0, 0x3eab, 0x0080};
    float[] bf16 = tensor(DType.BF16, bf).toFloats();
    assertArrayEquals(new float[] {1f, -2f, Float.intBitsToFloat(0x00010000), Float.intBitsToFloat(0x007f0000),
        Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, Float.intBitsToFloat(0x3eab0000), 0x1p-126f}, bf16);
  }

  private static HostTensor tensor(DType dtype, short[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    b.asShortBuffer().put(values);
    return new HostTensor(dtype, new long[] {values.length}, b);
  }
}
