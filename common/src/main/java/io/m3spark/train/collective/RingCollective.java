package io.m3spark.train.collective;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A ring over TCP between W ≥ 2 ranks: each rank writes to its right neighbour over one persistent socket and reads
 * from its left. {@link #allReduceMean} is the bandwidth-optimal ring all-reduce — a reduce-scatter then an all-gather
 * over W chunks — run bucket by bucket so a large gradient array streams through fixed-size pieces.
 *
 * <p>Determinism: chunk c is summed in the fixed order c, c+1, …, c−1 as it travels the ring, its owner divides by W,
 * and the all-gather copies the owner's floats to everyone, so all ranks hold bit-identical results.
 *
 * <p>Setting up: every rank first {@link #open opens} a {@link Listener} (port 0 picks a free port), the ranks exchange
 * the listeners' addresses and their {@link RingSecret#contribution() contributions} to the ring's secret by some
 * other channel (Spark's barrier allGather), then each calls {@link Listener#connect}. Neighbours prove to each other
 * that they know the secret before any frame is taken ({@link RingHandshake}); a ring whose ranks all live in one
 * process (tests) uses {@link RingSecret#random()}.
 *
 * <p>Failing: connecting, and every read and write after it, gives up with a {@link CollectiveException} naming the
 * peer rank instead of hanging — within the heartbeat timeout when a neighbour hangs or is cut off, at once when its
 * process dies, within the timeout when a live neighbour never delivers, and within a poll interval of the
 * {@link RingSettings#abortCheck() abort check} answering true ({@link RingSettings}).
 */
public final class RingCollective implements Collective {
  /** Bucket size when none is given: large enough to keep the sockets busy, small enough to bound the pieces. */
  public static final int DEFAULT_BUCKET_BYTES = 4 << 20;
  /**
   * Each hop of a bucket moves bucket / W bytes and pays one message latency; the default bucket grows with W so that
   * a hop never moves less than this (at W = 128 a fixed 4 MiB bucket would make latency, not bandwidth, the cost).
   */
  static final int MIN_CHUNK_BYTES = 256 << 10;
  private static final Duration CONNECT_RETRY = Duration.ofMillis(50);
  private static final Duration CONNECT_ATTEMPT = Duration.ofSeconds(1);

  private final int rank;
  private final int worldSize;
  private final int bucketFloats;
  private final RingLinks links;

  static int defaultBucketBytes(int worldSize) {
    return (int) Math.min(Integer.MAX_VALUE / 2, Math.max(DEFAULT_BUCKET_BYTES, (long) worldSize * MIN_CHUNK_BYTES));
  }

  private RingCollective(int rank, int worldSize, int bucketBytes, RingLinks links) {
    this.rank = rank;
    this.worldSize = worldSize;
    this.bucketFloats = Math.max(1, bucketBytes / Float.BYTES);
    this.links = links;
  }

  /** Binds a listener on {@code host} at a free port; publish {@link Listener#address()} to the other ranks. */
  public static Listener open(String host) throws IOException {
    return open(new InetSocketAddress(host, 0));
  }

  /** Binds a listener at a given address (port 0 for a free port). */
  public static Listener open(InetSocketAddress address) throws IOException {
    InetSocketAddress bindAddress = address.isUnresolved()
        ? new InetSocketAddress(address.getHostString(), address.getPort()) : address;
    ServerSocket server = new ServerSocket();
    try {
      server.bind(bindAddress);
    } catch (IOException e) {
      server.close();
      throw e;
    }
    return new Listener(server, address.getHostString());
  }

  /** Joins a ring whose addresses are fixed in advance: listens at {@code peers.get(rank)}, then connects. */
  public static RingCollective connect(int rank, List<InetSocketAddress> peers, RingSecret secret,
      RingSettings settings) {
    try {
      return open(peers.get(rank)).connect(rank, peers, secret, settings);
    } catch (IOException e) {
      throw new UncheckedIOException("rank " + rank + ": cannot listen at " + peers.get(rank), e);
    }
  }

  @Override
  public int rank() {
    return rank;
  }

  @Override
  public int worldSize() {
    return worldSize;
  }

  @Override
  public void allReduceMean(float[] data) {
    for (int start = 0; start < data.length; start += bucketFloats) {
      reduceBucket(data, start, Math.min(bucketFloats, data.length - start));
    }
  }

  private void reduceBucket(float[] data, int offset, int length) {
    // Reduce-scatter: at step s this rank passes on chunk rank−s and adds its own values into chunk rank−s−1.
    for (int step = 0; step < worldSize - 1; step++) {
      int send = chunk(rank - step);
      int receive = chunk(rank - step - 1);
      links.exchange(data, chunkStart(offset, length, send), chunkLength(length, send),
          data, chunkStart(offset, length, receive), chunkLength(length, receive), true);
    }
    int owned = chunk(rank + 1);
    int ownedEnd = chunkStart(offset, length, owned) + chunkLength(length, owned);
    for (int i = chunkStart(offset, length, owned); i < ownedEnd; i++) {
      data[i] /= worldSize;
    }
    // All-gather: the owners' means travel the ring and overwrite everyone's partial sums.
    for (int step = 0; step < worldSize - 1; step++) {
      int send = chunk(rank + 1 - step);
      int receive = chunk(rank - step);
      links.exchange(data, chunkStart(offset, length, send), chunkLength(length, send),
          data, chunkStart(offset, length, receive), chunkLength(length, receive), false);
    }
  }

  private int chunk(int c) {
    return Math.floorMod(c, worldSize);
  }

  private int chunkStart(int offset, int length, int c) {
    return offset + (int) ((long) length * c / worldSize);
  }

  private int chunkLength(int length, int c) {
    return (int) ((long) length * (c + 1) / worldSize - (long) length * c / worldSize);
  }

  @Override
  public float[][] allGather(float[] mine, int maxBlockLength) {
    Collective.checkBlockLength(mine, maxBlockLength);
    float[][] blocks = new float[worldSize][];
    blocks[rank] = mine.clone();
    // At step s this rank passes on the block of rank−s and receives the block of rank−s−1.
    for (int step = 0; step < worldSize - 1; step++) {
      blocks[chunk(rank - step - 1)] = links.exchange(blocks[chunk(rank - step)], maxBlockLength);
    }
    return blocks;
  }

  @Override
  public void barrier() {
    // After W−1 hops every rank has heard, through its left neighbour, from every other rank.
    float[] token = new float[0];
    for (int step = 0; step < worldSize - 1; step++) {
      links.exchange(token, 0);
    }
  }

  @Override
  public void close() {
    links.close();
  }

  /**
   * A bound server socket waiting to become one rank of a ring. Binding happens before connecting so that port 0 can
   * be used and the real address published; a connection that arrives before {@link #connect} waits in the backlog.
   */
  public static final class Listener implements AutoCloseable {
    private final ServerSocket server;
    private final String host;

    private Listener(ServerSocket server, String host) {
      this.server = server;
      this.host = host;
    }

    /** The address the other ranks connect to: the host it was opened on and the bound port. */
    public InetSocketAddress address() {
      return InetSocketAddress.createUnresolved(host, server.getLocalPort());
    }

    /**
     * Connects to the right neighbour {@code peers.get(rank + 1)} and accepts the left one, each proving to the other
     * that it knows {@code secret} ({@link RingHandshake}), both within {@code settings.timeout()}. This listener is
     * closed afterwards.
     *
     * @throws CollectiveException naming the neighbour that did not connect, answer or prove itself in time, or this
     *     rank when the abort check fired
     */
    public RingCollective connect(int rank, List<InetSocketAddress> peers, RingSecret secret, RingSettings settings) {
      int worldSize = peers.size();
      if (worldSize < 2 || rank < 0 || rank >= worldSize) {
        throw new IllegalArgumentException("a ring needs at least 2 ranks and 0 <= rank < " + worldSize
            + " (use LocalCollective for one); got rank " + rank + " of " + worldSize);
      }
      int left = Math.floorMod(rank - 1, worldSize);
      int right = Math.floorMod(rank + 1, worldSize);
      long deadline = System.nanoTime() + settings.timeout().toNanos();
      ExecutorService accepter = Executors.newSingleThreadExecutor(
          DaemonThreads.named("ring-rank-" + rank + "-accept"));
      // Accept on another thread while this one connects: waiting for one before the other could make a rank blame its
      // neighbour for a failure further round the ring.
      RingAcceptor acceptor = new RingAcceptor(server, rank, left, secret, settings);
      Future<Socket> accepting = accepter.submit(() -> acceptor.accept(deadline));
      Socket toRight = null;
      Socket fromLeft = null;
      try {
        toRight = connectRight(rank, right, peers.get(right), secret, settings, deadline);
        fromLeft = awaitLeft(rank, left, accepting);
        return new RingCollective(rank, worldSize, settings.bucketBytesFor(worldSize),
            new RingLinks(rank, worldSize, settings, toRight, fromLeft));
      } catch (IOException e) {
        closeAll(toRight, fromLeft, accepting);
        throw new UncheckedIOException("rank " + rank + ": cannot set up the ring sockets", e);
      } catch (RuntimeException e) {
        closeAll(toRight, fromLeft, accepting);
        throw e;
      } finally {
        accepter.shutdownNow();
        close();
      }
    }

    /** After a failure: the sockets so far, including one the acceptor may have won while this rank failed. */
    private static void closeAll(Socket toRight, Socket fromLeft, Future<Socket> accepting) {
      RingLinks.closeQuietly(toRight);
      RingLinks.closeQuietly(fromLeft);
      if (accepting.isDone() && !accepting.isCancelled()) {
        try {
          RingLinks.closeQuietly(accepting.get());
        } catch (ExecutionException | InterruptedException e) {
          // nothing was accepted
        }
      }
    }

    private static Socket awaitLeft(int rank, int left, Future<Socket> accepting) throws IOException {
      try {
        return accepting.get(); // the acceptor keeps the deadline and polls the abort check itself
      } catch (ExecutionException e) {
        if (e.getCause() instanceof CollectiveException c) {
          throw c;
        }
        if (e.getCause() instanceof IOException io) {
          throw io;
        }
        throw new CollectiveException(left, "rank " + rank + ": accepting rank " + left + " failed: " + e.getCause(),
            e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CollectiveException(left, "rank " + rank + ": interrupted while waiting for rank " + left, e);
      }
    }

    /**
     * Retries refused connections until the deadline (the right neighbour may not be listening yet), then proves this
     * rank and checks the neighbour's proof.
     */
    private static Socket connectRight(int rank, int right, InetSocketAddress address, RingSecret secret,
        RingSettings settings, long deadline) throws IOException {
      InetSocketAddress resolved = new InetSocketAddress(InetAddress.getByName(address.getHostString()),
          address.getPort());
      String at = address.getHostString() + ":" + address.getPort();
      Patience answer = silent -> {
        settings.checkAbort(rank, "waiting for rank " + right + " to answer");
        if (System.nanoTime() - deadline > 0) {
          throw new CollectiveException(right, String.format("rank %d: rank %d at %s accepted the connection but did "
              + "not answer within the timeout", rank, right, at), null);
        }
      };
      IOException last = null;
      while (true) {
        settings.checkAbort(rank, "connecting to rank " + right);
        long remaining = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (remaining <= 0) {
          throw new CollectiveException(right, String.format("rank %d: rank %d at %s did not accept within the "
              + "timeout", rank, right, at), last);
        }
        Socket socket = new Socket();
        try {
          // short attempts, so the abort check and the deadline are looked at even where connecting blocks
          socket.connect(resolved, (int) Math.min(remaining, CONNECT_ATTEMPT.toMillis()));
          RingHandshake.connect(socket, new PolledInput(socket, socket.getInputStream()), rank, right, secret, answer);
          return socket;
        } catch (ConnectException e) {
          socket.close();
          last = e;
          sleep(CONNECT_RETRY);
        } catch (SocketTimeoutException e) {
          socket.close();
          last = e;
        } catch (IOException e) {
          socket.close();
          throw new CollectiveException(right, String.format("rank %d: connecting to rank %d at %s failed: %s",
              rank, right, at, e.getMessage()), e);
        } catch (RuntimeException e) {
          socket.close();
          throw e;
        }
      }
    }

    private static void sleep(Duration d) {
      try {
        Thread.sleep(d.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt(); // the loop's abort check stops it
      }
    }

    /** Frees the port; {@link #connect} does this itself once the ring is up or has failed. */
    @Override
    public void close() {
      RingLinks.closeQuietly(server);
    }
  }
}
