package io.m3spark.train.collective;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * Reads from a socket whose reads time out every {@link #POLL_MILLIS}, so a waiting reader regularly gets the chance to
 * give up (see {@link Patience}) instead of blocking for as long as the peer likes. Bytes read before a timeout are
 * kept: {@code DataInputStream.readFully} would lose them, and the stream would be out of step with its frames.
 */
final class PolledInput {
  /** How often a blocked read looks at its deadlines and its abort check. */
  static final int POLL_MILLIS = 100;

  private final InputStream in;
  private long lastByteNanos = System.nanoTime();

  /** {@code in} must read from {@code socket}, whose read timeout this sets. */
  PolledInput(Socket socket, InputStream in) throws IOException {
    socket.setSoTimeout(POLL_MILLIS);
    this.in = in;
  }

  /**
   * Reads into {@code b[from, to)} until it is full or one poll interval passes without a byte.
   *
   * @return the new fill position; {@code to} when full
   * @throws EOFException when the peer closed the connection
   */
  int fill(byte[] b, int from, int to) throws IOException {
    while (from < to) {
      int n;
      try {
        n = in.read(b, from, to - from);
      } catch (SocketTimeoutException e) {
        return from;
      }
      if (n < 0) {
        throw new EOFException("end of stream");
      }
      from += n;
      lastByteNanos = System.nanoTime();
    }
    return from;
  }

  /** Reads exactly {@code b[from, to)}, asking {@code patience} after every poll interval that brought it no nearer. */
  void readFully(byte[] b, int from, int to, Patience patience) throws IOException {
    while ((from = fill(b, from, to)) < to) {
      patience.stillWaiting(silentNanos());
    }
  }

  /** Time since the last byte arrived, or since {@link #restartSilence}. */
  long silentNanos() {
    return System.nanoTime() - lastByteNanos;
  }

  /** Starts the silence clock now: a peer is only silent while someone waits for it. */
  void restartSilence() {
    lastByteNanos = System.nanoTime();
  }
}
