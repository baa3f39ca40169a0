package io.m3spark.train.collective;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The sending end of a ring link. A frame is an int length followed by that many little-endian floats,
 * {@link #ABORT} followed by the rank that failed, or a bare {@link #HEARTBEAT}.
 *
 * <p>One thread writes every frame, so frames never interleave. It sends data frames when asked, and a heartbeat
 * whenever the link has been idle for the heartbeat interval: a neighbour that waits for this rank — busy computing
 * its part of a step — can then tell it is alive from one that hangs or is cut off.
 */
final class FrameWriter implements AutoCloseable {
  static final int ABORT = -1;
  static final int HEARTBEAT = -2;
  /** Floats converted to bytes at a time; small enough to stay in cache, large enough for few system calls. */
  static final int PIECE_FLOATS = 64 * 1024;

  private final DataOutputStream out;
  private final ScheduledThreadPoolExecutor thread;
  private final long heartbeatNanos;
  /** The writer thread's own state: the send buffer and when it last wrote. */
  private final ByteBuffer sendBytes = ByteBuffer.allocate(PIECE_FLOATS * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
  private final FloatBuffer sendFloats = sendBytes.asFloatBuffer();
  private long lastWriteNanos = System.nanoTime();

  FrameWriter(Socket toRight, int rank, Duration heartbeatInterval) throws IOException {
    toRight.setTcpNoDelay(true);
    this.out = new DataOutputStream(new BufferedOutputStream(toRight.getOutputStream(), 64 * 1024));
    this.heartbeatNanos = heartbeatInterval.toNanos();
    this.thread = new ScheduledThreadPoolExecutor(1, DaemonThreads.named("ring-rank-" + rank + "-sender"));
    thread.scheduleWithFixedDelay(this::heartbeatIfIdle, heartbeatNanos, heartbeatNanos, TimeUnit.NANOSECONDS);
  }

  /** Writes {@code src[from, from + length)} as one data frame, on the writer thread. */
  Future<?> send(float[] src, int from, int length) {
    return thread.submit(() -> {
      out.writeInt(length);
      for (int done = 0; done < length; ) {
        int n = Math.min(PIECE_FLOATS, length - done);
        sendFloats.put(0, src, from + done, n);
        out.write(sendBytes.array(), 0, n * Float.BYTES);
        done += n;
      }
      flush();
      return null;
    });
  }

  /** Tells the right neighbour that {@code failedRank} broke the ring. */
  Future<?> sendAbort(int failedRank) {
    return thread.submit(() -> {
      out.writeInt(ABORT);
      out.writeInt(failedRank);
      flush();
      return null;
    });
  }

  private void heartbeatIfIdle() {
    // half an interval: a run scheduled a hair early must not skip a beat
    if (System.nanoTime() - lastWriteNanos < heartbeatNanos / 2) {
      return;
    }
    try {
      out.writeInt(HEARTBEAT);
      flush();
    } catch (IOException e) {
      // ends the heartbeats: the link is gone, and the next data frame reports it
      throw new UncheckedIOException(e);
    }
  }

  private void flush() throws IOException {
    out.flush();
    lastWriteNanos = System.nanoTime();
  }

  /** Stops the writer thread; a write blocked on the socket ends when the caller closes the socket. */
  @Override
  public void close() {
    thread.shutdownNow();
  }
}
