package io.m3spark.sources;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs a large download's progress (bytes, rate, ETA) every few seconds; small files stay quiet. */
final class TransferProgress {
  private static final Logger LOG = LoggerFactory.getLogger(TransferProgress.class);
  static final long LOGGED_ABOVE_BYTES = 32L << 20;
  private static final long INTERVAL_NANOS = 10_000_000_000L;

  private final String name;
  private final long total;
  private final long startOffset;
  private final long startNanos = System.nanoTime();
  private long done;
  private long lastLog = startNanos;

  TransferProgress(String name, long startOffset, long total) {
    this.name = name;
    this.total = total;
    this.startOffset = startOffset;
    this.done = startOffset;
  }

  void add(long bytes) {
    done += bytes;
    long now = System.nanoTime();
    if (total >= LOGGED_ABOVE_BYTES && now - lastLog >= INTERVAL_NANOS) {
      lastLog = now;
      double seconds = (now - startNanos) / 1e9;
      double rate = (done - startOffset) / seconds;
      long eta = rate > 0 ? Math.round((total - done) / rate) : -1;
      LOG.info("{}: {} of {} MiB ({}%), {} MiB/s, ETA {}", name, done >> 20, total >> 20, done * 100 / total,
          String.format("%.1f", rate / (1 << 20)), eta < 0 ? "unknown" : eta + " s");
    }
  }
}
