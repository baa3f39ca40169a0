package io.m3spark.eval;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Report rounding, as Python's {@code round(x, 5)}: the exact double value, halves to even. */
public final class Rounding {
  private Rounding() {}

  public static double round5(double x) {
    if (Double.isNaN(x) || Double.isInfinite(x)) {
      return x;
    }
    return new BigDecimal(x).setScale(5, RoundingMode.HALF_EVEN).doubleValue();
  }
}
