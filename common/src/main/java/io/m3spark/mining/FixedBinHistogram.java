package io.m3spark.mining;

import java.io.Serializable;

/**
 * A mergeable histogram with fixed equal-width bins over [lo, hi), plus exact count, sum, min and max. Memory is fixed
 * however many values are added, and merging partition histograms gives exactly the histogram of the union. Quantiles
 * are read at bin resolution ((hi − lo) / bins) and clamped to the exact min and max; values outside [lo, hi) are
 * counted and answer as min or max.
 */
public final class FixedBinHistogram implements Serializable {
  private static final long serialVersionUID = 1L;

  private final double lo;
  private final double hi;
  private final long[] bins;
  private long below;
  private long above;
  private long count;
  private double sum;
  private double min = Double.POSITIVE_INFINITY;
  private double max = Double.NEGATIVE_INFINITY;

  public FixedBinHistogram(double lo, double hi, int bins) {
    if (!(lo < hi) || bins < 1) {
      throw new IllegalArgumentException("need lo < hi and bins >= 1");
    }
    this.lo = lo;
    this.hi = hi;
    this.bins = new long[bins];
  }

  /** Adds a value; NaN is ignored (a top-up negative without a score). */
  public void add(double v) {
    if (Double.isNaN(v)) {
      return;
    }
    if (v < lo) {
      below++;
    } else if (v >= hi) {
      above++;
    } else {
      bins[Math.min(bins.length - 1, (int) ((v - lo) / (hi - lo) * bins.length))]++;
    }
    count++;
    sum += v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }

  /** Adds every count of {@code other}, which must have the same bins. */
  public void merge(FixedBinHistogram other) {
    if (other.lo != lo || other.hi != hi || other.bins.length != bins.length) {
      throw new IllegalArgumentException("histograms with different bins cannot be merged");
    }
    for (int i = 0; i < bins.length; i++) {
      bins[i] += other.bins[i];
    }
    below += other.below;
    above += other.above;
    count += other.count;
    sum += other.sum;
    min = Math.min(min, other.min);
    max = Math.max(max, other.max);
  }

  public long count() {
    return count;
  }

  /** The mean, NaN when empty. */
  public double mean() {
    return count == 0 ? Double.NaN : sum / count;
  }

  public double min() {
    return count == 0 ? Double.NaN : min;
  }

  public double max() {
    return count == 0 ? Double.NaN : max;
  }

  /** The q-quantile (0 ≤ q ≤ 1) at bin resolution: the midpoint of the bin holding it; NaN when empty. */
  public double quantile(double q) {
    if (count == 0) {
      return Double.NaN;
    }
    long target = Math.max(1, (long) Math.ceil(q * count));
    long seen = below;
    if (seen >= target) {
      return min;
    }
    double width = (hi - lo) / bins.length;
    for (int i = 0; i < bins.length; i++) {
      seen += bins[i];
      if (seen >= target) {
        return Math.max(min, Math.min(max, lo + (i + 0.5) * width));
      }
    }
    return max;
  }
}
