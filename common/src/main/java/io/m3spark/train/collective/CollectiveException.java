package io.m3spark.train.collective;

/**
 * A collective operation (or the connection before it) failed because of a peer: it did not connect, closed its
 * connection, reported a failure, or stayed silent past the timeout. {@link #peerRank()} says which rank, so the driver
 * can report the task that broke the ring rather than every task that noticed.
 */
public final class CollectiveException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int peerRank;

  public CollectiveException(int peerRank, String message, Throwable cause) {
    super(message, cause);
    this.peerRank = peerRank;
  }

  /** The rank that failed or could not be reached. */
  public int peerRank() {
    return peerRank;
  }
}
