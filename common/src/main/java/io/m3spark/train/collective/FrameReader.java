package io.m3spark.train.collective;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * The receiving end of a ring link (frames as {@link FrameWriter} writes them): skips heartbeats, turns an abort frame
 * into the failure it reports, and reads floats into the caller's array in pieces, so a frame's length is checked
 * before anything is allocated for it. Every wait is a {@link PolledInput} wait, bounded by the caller's
 * {@link Patience}.
 */
final class FrameReader {
  private static final int NONE = -1;

  private final PolledInput input;
  private final int rank;
  private final int left;
  private final byte[] header = new byte[Integer.BYTES];
  private int headerFilled;
  /** The length of a data frame whose header {@link #lookAhead} has already read. */
  private int announced = NONE;
  private final ByteBuffer receiveBytes =
      ByteBuffer.allocate(FrameWriter.PIECE_FLOATS * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
  private final FloatBuffer receiveFloats = receiveBytes.asFloatBuffer();
  private final float[] received = new float[FrameWriter.PIECE_FLOATS];

  FrameReader(Socket fromLeft, int rank, int left) throws IOException {
    this.input = new PolledInput(fromLeft, new BufferedInputStream(fromLeft.getInputStream(), 64 * 1024));
    this.rank = rank;
    this.left = left;
  }

  /** Starts the left neighbour's silence clock: it only counts while this rank waits for it. */
  void startWaiting() {
    input.restartSilence();
  }

  /** The length the next data frame announces; its floats follow with {@link #readFloats}. */
  int nextLength(Patience patience) throws IOException {
    if (announced != NONE) {
      int length = announced;
      announced = NONE;
      return length;
    }
    while (true) {
      if (!headerArrived()) {
        patience.stillWaiting(input.silentNanos());
        continue;
      }
      int length = interpret(takeHeader(), patience);
      if (length != NONE) {
        return length;
      }
    }
  }

  /**
   * While this rank waits for its own send to finish: takes in at most one header that the left neighbour sent
   * meanwhile, waiting one poll interval at most, so that an abort frame, a closed connection or a silent neighbour is
   * noticed there too. A data frame's header is kept for the next {@link #nextLength}.
   */
  void lookAhead(Patience patience) throws IOException {
    if (announced != NONE) {
      return;
    }
    if (headerArrived()) {
      announced = interpret(takeHeader(), patience);
    } else {
      patience.stillWaiting(input.silentNanos());
    }
  }

  /** Reads {@code length} floats into {@code dst[from...]}, added to what is there ({@code add}) or replacing it. */
  void readFloats(float[] dst, int from, int length, boolean add, Patience patience) throws IOException {
    for (int done = 0; done < length; ) {
      int n = Math.min(FrameWriter.PIECE_FLOATS, length - done);
      input.readFully(receiveBytes.array(), 0, n * Float.BYTES, patience);
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
  }

  private boolean headerArrived() throws IOException {
    headerFilled = input.fill(header, headerFilled, header.length);
    return headerFilled == header.length;
  }

  private int takeHeader() {
    headerFilled = 0;
    return ByteBuffer.wrap(header).getInt();
  }

  /** A data frame's length, or {@link #NONE} for a heartbeat; throws for an abort frame. */
  private int interpret(int header, Patience patience) throws IOException {
    if (header >= 0) {
      return header;
    }
    if (header == FrameWriter.HEARTBEAT) {
      return NONE;
    }
    if (header == FrameWriter.ABORT) {
      byte[] failed = new byte[Integer.BYTES];
      input.readFully(failed, 0, failed.length, patience);
      int failedRank = ByteBuffer.wrap(failed).getInt();
      throw new CollectiveException(failedRank, String.format("rank %d: rank %d failed and the ring was aborted",
          rank, failedRank), null);
    }
    throw new CollectiveException(left, String.format("rank %d: rank %d sent a malformed frame header (%d)", rank, left,
        header), null);
  }
}
