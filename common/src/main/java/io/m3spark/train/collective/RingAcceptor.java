package io.m3spark.train.collective;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits on a rank's listener for the one connection that proves it is the left neighbour ({@link RingHandshake}).
 * Anyone on the network can connect, so every accepted connection handshakes on its own thread and within the
 * handshake timeout: a connection that says nothing, too little or the wrong thing is dropped after at most that long,
 * and never holds up the genuine neighbour, whose handshake runs alongside.
 */
final class RingAcceptor {
  private static final Logger LOG = LoggerFactory.getLogger(RingAcceptor.class);
  /** Handshakes at once; more connections wait in the listen backlog until one ends, within the handshake timeout. */
  static final int MAX_HANDSHAKES = 16;

  private final ServerSocket server;
  private final int rank;
  private final int left;
  private final RingSecret secret;
  private final RingSettings settings;

  RingAcceptor(ServerSocket server, int rank, int left, RingSecret secret, RingSettings settings) {
    this.server = server;
    this.rank = rank;
    this.left = left;
    this.secret = secret;
    this.settings = settings;
  }

  /**
   * The left neighbour's connection, handshake done.
   *
   * @throws CollectiveException naming the left neighbour when it has not proved itself by {@code deadlineNanos}, or
   *     naming this rank when the abort check fired
   */
  Socket accept(long deadlineNanos) throws IOException {
    ExecutorService handshakes = Executors.newCachedThreadPool(DaemonThreads.named("ring-rank-" + rank + "-handshake"));
    CompletableFuture<Socket> neighbour = new CompletableFuture<>();
    // sockets accepted and not yet dropped; the neighbour's stays here until it is returned
    Set<Socket> open = ConcurrentHashMap.newKeySet();
    AtomicInteger dropped = new AtomicInteger();
    Socket won = null;
    server.setSoTimeout(PolledInput.POLL_MILLIS);
    try {
      while (!neighbour.isDone()) {
        settings.checkAbort(rank, "waiting for rank " + left + " to connect");
        if (System.nanoTime() - deadlineNanos > 0) {
          throw new CollectiveException(left, String.format("rank %d: rank %d did not connect in time%s", rank, left,
              dropped.get() == 0 ? "" : " (" + dropped.get() + " connection(s) that did not prove they were rank "
                  + left + " of this ring were dropped)"), null);
        }
        if (open.size() >= MAX_HANDSHAKES) {
          awaitBriefly(neighbour);
          continue;
        }
        Socket socket;
        try {
          socket = server.accept();
        } catch (SocketTimeoutException e) {
          continue;
        }
        open.add(socket);
        handshakes.execute(() -> handshake(socket, neighbour, open, dropped));
      }
      won = neighbour.join();
      return won;
    } finally {
      neighbour.cancel(false); // a handshake that succeeds after a failure here finds its socket closed below
      handshakes.shutdownNow();
      for (Socket s : open) {
        if (s != won) {
          RingLinks.closeQuietly(s);
        }
      }
    }
  }

  private void handshake(Socket socket, CompletableFuture<Socket> neighbour, Set<Socket> open, AtomicInteger dropped) {
    long giveUp = System.nanoTime() + settings.handshakeTimeout().toNanos();
    try {
      RingHandshake.accept(socket, new PolledInput(socket, socket.getInputStream()), rank, left, secret, silent -> {
        if (System.nanoTime() - giveUp > 0 || neighbour.isDone()) {
          throw new CollectiveException(left, "it did not complete the handshake within "
              + settings.handshakeTimeout(), null);
        }
      });
      if (neighbour.complete(socket)) {
        return;
      }
    } catch (IOException | RuntimeException e) {
      if (!neighbour.isDone()) {
        dropped.incrementAndGet();
        LOG.warn("rank {}: dropped a connection from {}: {}", rank, socket.getRemoteSocketAddress(), e.getMessage());
      }
    }
    RingLinks.closeQuietly(socket);
    open.remove(socket);
  }

  private static void awaitBriefly(CompletableFuture<Socket> neighbour) {
    try {
      neighbour.get(PolledInput.POLL_MILLIS, TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      // the loop looks again
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the loop's abort check stops it
    }
  }
}
