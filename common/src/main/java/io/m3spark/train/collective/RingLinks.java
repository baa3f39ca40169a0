package io.m3spark.train.collective;

import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A ring rank's two connections — one socket to its right neighbour that it only writes ({@link FrameWriter}), one
 * from its left neighbour that it only reads ({@link FrameReader}) — and the waiting rules of each step.
 *
 * <p>Each step of a ring algorithm sends and receives at once: the send runs on the writer's thread, because if every
 * rank first wrote a chunk larger than the socket buffers and only then read, all of them would block on the write.
 *
 * <p>Waiting: a left neighbour that sends no byte at all, not even a heartbeat, for the heartbeat timeout is taken as
 * hung or cut off; a live one has the (longer) timeout to deliver its data, and a right neighbour as long to take
 * this rank's. A closed connection (a killed process) fails at once. The abort check is polled throughout.
 *
 * <p>On the first failure the links send an abort frame naming the failed rank to the right (best effort) and close.
 * The abort travels around the ring, so every rank reports the rank that broke it rather than its neighbour that
 * noticed first.
 */
final class RingLinks implements AutoCloseable {
  private static final Duration ABORT_GRACE = Duration.ofSeconds(1);
  /**
   * How long a send may take before this rank starts watching its left link while it waits: a healthy send is over in
   * milliseconds, and looking ahead costs up to one poll interval when nothing arrives.
   */
  private static final long LOOK_AHEAD_AFTER_NANOS = Duration.ofSeconds(1).toNanos();

  private final int rank;
  private final int left;
  private final int right;
  private final RingSettings settings;
  private final Socket toRight;
  private final Socket fromLeft;
  private final FrameWriter writer;
  private final FrameReader reader;
  private CollectiveException broken;

  RingLinks(int rank, int worldSize, RingSettings settings, Socket toRight, Socket fromLeft) throws IOException {
    this.rank = rank;
    this.left = Math.floorMod(rank - 1, worldSize);
    this.right = Math.floorMod(rank + 1, worldSize);
    this.settings = settings;
    this.toRight = toRight;
    this.fromLeft = fromLeft;
    this.reader = new FrameReader(fromLeft, rank, left);
    this.writer = new FrameWriter(toRight, rank, settings.heartbeatInterval());
  }

  /**
   * Sends {@code src[srcFrom, srcFrom + srcLength)} to the right while receiving exactly {@code dstLength} floats from
   * the left into {@code dst[dstFrom...]}, added to what is there ({@code add}) or replacing it. The two ranges must
   * not overlap.
   */
  void exchange(float[] src, int srcFrom, int srcLength, float[] dst, int dstFrom, int dstLength, boolean add) {
    checkUsable();
    long start = System.nanoTime();
    reader.startWaiting();
    Future<?> sending = writer.send(src, srcFrom, srcLength);
    try {
      Patience patience = waitingForData(start);
      int length = reader.nextLength(patience);
      if (length != dstLength) {
        throw new CollectiveException(left, String.format("rank %d: rank %d sent %d floats where %d were expected; "
            + "the ranks called different operations or passed arrays of different lengths", rank, left, length,
            dstLength), null);
      }
      reader.readFloats(dst, dstFrom, dstLength, add, patience);
      awaitSend(sending, start);
    } catch (IOException e) {
      throw fail(receiveFailure(e));
    } catch (CollectiveException e) {
      throw fail(e);
    }
  }

  /** Sends {@code block} to the right while receiving a block of at most {@code maxLength} floats from the left. */
  float[] exchange(float[] block, int maxLength) {
    checkUsable();
    long start = System.nanoTime();
    reader.startWaiting();
    Future<?> sending = writer.send(block, 0, block.length);
    try {
      Patience patience = waitingForData(start);
      int length = reader.nextLength(patience);
      if (length > maxLength) {
        throw new CollectiveException(left, String.format("rank %d: rank %d announced a block of %d floats, more than "
            + "the %d this operation allows; the ranks called different operations or rank %d is faulty", rank, left,
            length, maxLength, left), null);
      }
      float[] result = new float[length];
      reader.readFloats(result, 0, length, false, patience);
      awaitSend(sending, start);
      return result;
    } catch (IOException e) {
      throw fail(receiveFailure(e));
    } catch (CollectiveException e) {
      throw fail(e);
    }
  }

  private Patience waitingForData(long start) {
    return silent -> {
      settings.checkAbort(rank, "waiting for rank " + left);
      checkLeftAlive(silent);
      if (System.nanoTime() - start > settings.timeout().toNanos()) {
        throw new CollectiveException(left, String.format("rank %d: rank %d's data did not arrive within %s", rank,
            left, settings.timeout()), null);
      }
    };
  }

  private void checkLeftAlive(long silentNanos) {
    if (silentNanos > settings.heartbeatTimeout().toNanos()) {
      throw new CollectiveException(left, String.format("rank %d: rank %d sent nothing, not even a heartbeat, for %s: "
          + "it hangs, or the network to it is down", rank, left, settings.heartbeatTimeout()), null);
    }
  }

  private CollectiveException receiveFailure(IOException e) {
    String what = e instanceof EOFException ? "closed the connection" : "could not be read from: " + e.getMessage();
    return new CollectiveException(left, String.format("rank %d: rank %d %s", rank, left, what), e);
  }

  /**
   * Waits for this rank's send to be taken; a right neighbour that takes nothing for the timeout fails it. A send that
   * takes long makes it keep an eye on the left link, so an abort travelling the ring still reaches a rank stuck
   * sending to a hung neighbour.
   */
  private void awaitSend(Future<?> sending, long start) throws IOException {
    long waitingSince = System.nanoTime();
    while (true) {
      try {
        sending.get(PolledInput.POLL_MILLIS, TimeUnit.MILLISECONDS);
        return;
      } catch (TimeoutException e) {
        settings.checkAbort(rank, "sending to rank " + right);
        if (System.nanoTime() - start > settings.timeout().toNanos()) {
          throw new CollectiveException(right, String.format("rank %d: rank %d took no data within %s", rank, right,
              settings.timeout()), e);
        }
        if (System.nanoTime() - waitingSince > LOOK_AHEAD_AFTER_NANOS) {
          // while waiting for its own send, this rank only needs the left neighbour to be alive, not to send data
          reader.lookAhead(this::checkLeftAlive);
        }
      } catch (ExecutionException e) {
        throw new CollectiveException(right, String.format("rank %d: sending to rank %d failed: %s", rank, right,
            e.getCause()), e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CollectiveException(right, String.format("rank %d: interrupted while sending to rank %d", rank,
            right), e);
      }
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
      Future<?> abort = writer.sendAbort(e.peerRank());
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
    writer.close();
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
