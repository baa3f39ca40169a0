package io.m3spark.train.loop;

import java.util.Locale;
import java.util.Map;

/**
 * The progress line of a logged step: step, share done, loss and its parts, learning rate, gradient norm, throughput
 * and time left, e.g. {@code step 120/1000 (12.0%) loss 1.2345 (loss_dense 1.01 ...) lr 9.80e-06 grad_norm 0.531 |
 * 45.2 samples/s | 2m05s elapsed, ETA 15m20s}.
 */
final class ProgressLine {
  private ProgressLine() {}

  static String format(long step, long totalSteps, double loss, Map<String, Double> parts, double lr, double gradNorm,
      double samplesPerSecond, double elapsedSeconds, double etaSeconds) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "step %d/%d (%.1f%%) loss %.4f", step, totalSteps, 100.0 * step / totalSteps,
        loss));
    if (!parts.isEmpty()) {
      b.append(" (");
      parts.forEach((k, v) -> b.append(k).append(' ').append(String.format(Locale.ROOT, "%.4f", v)).append(", "));
      b.setLength(b.length() - 2);
      b.append(')');
    }
    b.append(String.format(Locale.ROOT, " lr %.3e grad_norm %.3f | %.1f samples/s | %s elapsed, ETA %s", lr, gradNorm,
        samplesPerSecond, duration(elapsedSeconds), duration(etaSeconds)));
    return b.toString();
  }

  static String duration(double seconds) {
    long s = Math.round(seconds);
    if (s >= 3600) {
      return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
    }
    return s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
  }
}
