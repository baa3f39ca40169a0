package io.m3spark.train.collective;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A ring rank's two connections — one socket to its right neighbour that it only writes, one from its left neighbour
 * that it only reads — and the frames on them. A frame is an int count followed by that many little-endian floats,
 * or {@link #ABORT} followed by the rank that failed.
 *
 * <p>Each step of a ring algorithm sends and receives at once: the send runs on a dedicated thread, because if every
 * rank first wrote a chunk larger than the socket buffers and only then read, all of them would block on the write.
 *
 * <p>On the first failure the links send an abort frame naming the failed rank to the right (best effort) and close.
 * The abort travels around the ring, so every rank reports the rank that broke it rather than its neighbour that
 * noticed first.
 */
final class RingLinks implements AutoCloseable {
  private static final int ABORT = -1;
  /** Floats converted to bytes at a time; small enough to stay in cache, large enough for few system calls. */
  private static final int PIECE_FLOATS = 64 * 1024;
  private static final Duration ABORT_GRACE = Duration.ofSeconds(1);

  private final int rank;
  private final int left;
  private final int right;
  private final Duration timeout;
  private final Socket toRight;
  private final Socket fromLeft;
  private final DataOutputStream out;
  private final DataInputStream in;
  private final ExecutorService sender;
  /** Written only on the sender thread. */
  private final ByteBuffer sendBytes = ByteBuffer.allocate(PIECE_FLOATS * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
  private final FloatBuffer sendFloats = sendBytes.asFloatBuffer();
  private final ByteBuffer receiveBytes = ByteBuffer.allocate(PIECE_FLOATS * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
  private final FloatBuffer receiveFloats = receiveBytes.asFloatBuffer();
  private final float[] received = new float[PIECE_FLOATS];
  private CollectiveException broken;

  RingLinks(int rank, int worldSize, Duration timeout, Socket toRight, Socket fromLeft, ExecutorService sender)
      throws IOException {
    this.rank = rank;
    this.left = Math.floorMod(rank - 1, worldSize);
    this.right = Math.floorMod(rank + 1, worldSize);
    this.timeout = timeout;
    this.toRight = toRight;
    this.fromLeft = fromLeft;
    this.sender = sender;
    fromLeft.setSoTimeout(Math.toIntExact(Math.max(1, timeout.toMillis())));
    toRight.setTcpNoDelay(true);
    this.out = new DataOutputStream(new BufferedOutputStream(toRight.getOutputStream(), 64 * 1024));
    this.in = new DataInputStream(new BufferedInputStream(fromLeft.getInputStream(), 64 * 1024));
  }

  /**
   * Sends {@code src[srcFrom, srcFrom + srcLength)} to the right while receiving exactly {@code dstLength} floats from
   * the left into {@code dst[dstFrom...]}, added to what is there ({@code add}) or replacing it. The two ranges must
   * not overlap.
   */
  void exchange(float[] src, int srcFrom, int srcLength, float[] dst, int dstFrom, int dstLength, boolean add) {
    checkUsable();
    Future<?> sending = sender.submit(() -> writeFrame(src, srcFrom, srcLength));
    try {
      int count = readCount();
      if (count != dstLength) {
        throw new CollectiveException(left, String.format("rank %d: rank %d sent %d floats where %d were expected; "
            + "the ranks called different operations or passed arrays of different lengths", rank, left, count,
            dstLength), null);
      }
      readFloats(dst, dstFrom, dstLength, add);
      awaitSend(sending);
    } catch (CollectiveException e) {
      throw fail(e);
    }
  }

  /** Sends {@code block} to the right while receiving a block of any length from the left. */
  float[] exchange(float[] block) {
    checkUsable();
    Future<?> sending = sender.submit(() -> writeFrame(block, 0, block.length));
    try {
      float[] result = new float[readCount()];
      readFloats(result, 0, result.length, false);
      awaitSend(sending);
      return result;
    } catch (CollectiveException e) {
      throw fail(e);
    }
  }

  private Void writeFrame(float[] src, int from, int length) throws IOException {
    out.writeInt(length);
    for (int done = 0; done < length; ) {
      int n = Math.min(PIECE_FLOATS, length - done);
      sendFloats.put(0, src, from + done, n);
      out.write(sendBytes.array(), 0, n * Float.BYTES);
      done += n;
    }
    out.flush();
    return null;
  }

  private int readCount() {
    try {
      int count = in.readInt();
      if (count == ABORT) {
        int failed = in.readInt();
        throw new CollectiveException(failed, String.format("rank %d: rank %d failed and the ring was aborted",
            rank, failed), null);
      }
      return count;
    } catch (IOException e) {
      throw receiveFailure(e);
    }
  }

  private void readFloats(float[] dst, int from, int length, boolean add) {
    try {
      for (int done = 0; done < length; ) {
        int n = Math.min(PIECE_FLOATS, length - done);
        in.readFully(receiveBytes.array(), 0, n * Float.BYTES);
        int at = from + done;
        if (add) {
          receiveFloats.get(0, received, 0, n);
          for (int i = 0; i < n; i++) {
            // the partial sum from the left first, then this rank's value: the order is fixed by rank
            dst[at + i] = received[i] + dst[at + i];
          }
        } else {
          receiveFloats.get(0, dst, at, n);
        }
        done += n;
      }
    } catch (IOException e) {
      throw receiveFailure(e);
    }
  }

  private CollectiveException receiveFailure(IOException e) {
    String what = e instanceof SocketTimeoutException ? "sent nothing within " + timeout
        : e instanceof EOFException ? "closed the connection" : "could not be read from: " + e.getMessage();
    return new CollectiveException(left, String.format("rank %d: rank %d %s", rank, left, what), e);
  }

  private void awaitSend(Future<?> sending) {
    try {
      sending.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new CollectiveException(right, String.format("rank %d: rank %d took no data within %s", rank, right,
          timeout), e);
    } catch (ExecutionException e) {
      throw new CollectiveException(right, String.format("rank %d: sending to rank %d failed: %s", rank, right,
          e.getCause()), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CollectiveException(right, String.format("rank %d: interrupted while sending to rank %d", rank,
          right), e);
    }
  }

  private void checkUsable() {
    if (broken != null) {
      throw new CollectiveException(broken.peerRank(), "rank " + rank + ": the ring is broken: "
          + broken.getMessage(), broken);
    }
  }

  /** Passes the failure on to the right (unless the right is the failed rank), closes, and returns it for throwing. */
  private CollectiveException fail(CollectiveException e) {
    broken = e;
    if (e.peerRank() != right) {
      Future<?> abort = sender.submit(() -> {
        out.writeInt(ABORT);
        out.writeInt(e.peerRank());
        out.flush();
        return null;
      });
      try {
        abort.get(ABORT_GRACE.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException ignored) {
        // best effort: without it the right neighbour still fails, on end of stream instead
      }
    }
    close();
    return e;
  }

  @Override
  public void close() {
    sender.shutdownNow();
    closeQuietly(toRight);
    closeQuietly(fromLeft);
  }

  static void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception ignored) {
      // closing after a failure or at the end; nothing left to tell the caller
    }
  }
}
