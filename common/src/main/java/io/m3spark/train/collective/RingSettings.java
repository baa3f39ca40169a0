package io.m3spark.train.collective;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * How long a {@link RingCollective} waits, and for what.
 *
 * @param timeout how long to wait for a neighbour to connect, and later for a live neighbour's data or for it to take
 *     this rank's data (a neighbour that is slow but alive: its heartbeats arrive)
 * @param heartbeatTimeout how long a neighbour may send nothing at all, not even a heartbeat, before it is taken as
 *     hung or unreachable; each rank sends heartbeats several times within this period
 * @param handshakeTimeout how long an accepted connection has to prove it is the left neighbour before it is dropped
 * @param bucketBytes the all-reduce's bucket size; 0 for {@link RingCollective#DEFAULT_BUCKET_BYTES}, or W ×
 *     {@link RingCollective#MIN_CHUNK_BYTES} when that is larger
 * @param abortCheck polled while the ring waits (connecting, accepting, reading, writing); when it answers true the
 *     operation stops with a {@link CollectiveException} naming this rank, e.g. because Spark killed the task
 */
public record RingSettings(Duration timeout, Duration heartbeatTimeout, Duration handshakeTimeout, int bucketBytes,
    BooleanSupplier abortCheck) {
  public static final Duration DEFAULT_HEARTBEAT_TIMEOUT = Duration.ofSeconds(15);
  public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(5);
  /** Heartbeats per heartbeat timeout: several may be late (a GC pause, a busy host) before a peer is declared lost. */
  private static final int HEARTBEATS_PER_TIMEOUT = 5;
  private static final Duration MAX_HEARTBEAT_INTERVAL = Duration.ofSeconds(2);

  public RingSettings {
    requirePositive(timeout, "timeout");
    requirePositive(heartbeatTimeout, "heartbeat timeout");
    requirePositive(handshakeTimeout, "handshake timeout");
    if (bucketBytes < 0) {
      throw new IllegalArgumentException("bucket bytes must be >= 0 (0 = the default), got " + bucketBytes);
    }
    if (abortCheck == null) {
      throw new IllegalArgumentException("abort check must not be null");
    }
  }

  /** {@code timeout} with the default heartbeat and handshake timeouts and buckets, never aborted. */
  public static RingSettings of(Duration timeout) {
    return new RingSettings(timeout, DEFAULT_HEARTBEAT_TIMEOUT, DEFAULT_HANDSHAKE_TIMEOUT, 0, () -> false);
  }

  public RingSettings withHeartbeatTimeout(Duration d) {
    return new RingSettings(timeout, d, handshakeTimeout, bucketBytes, abortCheck);
  }

  public RingSettings withHandshakeTimeout(Duration d) {
    return new RingSettings(timeout, heartbeatTimeout, d, bucketBytes, abortCheck);
  }

  public RingSettings withBucketBytes(int bytes) {
    return new RingSettings(timeout, heartbeatTimeout, handshakeTimeout, bytes, abortCheck);
  }

  public RingSettings withAbortCheck(BooleanSupplier check) {
    return new RingSettings(timeout, heartbeatTimeout, handshakeTimeout, bucketBytes, check);
  }

  /**
   * Stops a wait when the abort check answers true or the waiting thread was interrupted (blocking socket calls do not
   * notice interrupts themselves).
   *
   * @param doing what the rank was waiting for, for the message
   */
  void checkAbort(int rank, String doing) {
    if (Thread.currentThread().isInterrupted()) {
      throw new CollectiveException(rank, String.format("rank %d: interrupted while %s", rank, doing), null);
    }
    if (abortCheck.getAsBoolean()) {
      throw new CollectiveException(rank, String.format("rank %d: stopped while %s: its caller aborted the ring (a "
          + "killed or cancelled task)", rank, doing), null);
    }
  }

  int bucketBytesFor(int worldSize) {
    return bucketBytes > 0 ? bucketBytes : RingCollective.defaultBucketBytes(worldSize);
  }

  /** How often an idle link sends a heartbeat. */
  Duration heartbeatInterval() {
    Duration interval = heartbeatTimeout.dividedBy(HEARTBEATS_PER_TIMEOUT);
    return interval.compareTo(MAX_HEARTBEAT_INTERVAL) > 0 ? MAX_HEARTBEAT_INTERVAL
        : interval.isZero() ? Duration.ofMillis(1) : interval;
  }

  private static void requirePositive(Duration d, String what) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(what + " must be positive, got " + d);
    }
  }
}
