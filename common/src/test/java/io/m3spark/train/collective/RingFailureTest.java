package io.m3spark.train.collective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A rank that never connects, dies or goes silent makes the others fail within the timeout, naming it. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class RingFailureTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(1);
  private static final RingSettings SETTINGS = RingSettings.of(TIMEOUT);

  @Test
  void aRankThatNeverConnectsIsNamedByBothNeighbours() throws Exception {
    List<RingCollective.Listener> listeners = LoopbackRing.openListeners(3);
    List<InetSocketAddress> addresses = new ArrayList<>();
    listeners.forEach(l -> addresses.add(l.address()));
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      long start = System.nanoTime();
      // rank 2 listens (connections to it queue in the backlog) but never joins
      RingSecret secret = RingSecret.random();
      Future<RingCollective> rank0 = threads.submit(() -> listeners.get(0).connect(0, addresses, secret, SETTINGS));
      Future<RingCollective> rank1 = threads.submit(() -> listeners.get(1).connect(1, addresses, secret, SETTINGS));
      assertNamesRank(2, failure(rank0));
      assertNamesRank(2, failure(rank1));
      assertTrue(System.nanoTime() - start < 2 * TIMEOUT.toNanos() + 1_000_000_000L, "took too long to fail");
    } finally {
      listeners.get(2).close();
      threads.shutdownNow();
    }
  }

  @Test
  void aRankWhoseListenerIsGoneIsNamed() throws Exception {
    List<RingCollective.Listener> listeners = LoopbackRing.openListeners(2);
    List<InetSocketAddress> addresses = new ArrayList<>();
    listeners.forEach(l -> addresses.add(l.address()));
    listeners.get(1).close(); // connections to rank 1 are refused
    CollectiveException e = assertThrows(CollectiveException.class,
        () -> listeners.get(0).connect(0, addresses, RingSecret.random(), SETTINGS));
    assertNamesRank(1, e);
  }

  @Test
  void aRankThatDiesMidOperationIsNamedByAllOthers() throws Exception {
    try (LoopbackRing ring = new LoopbackRing(4, TIMEOUT, 4096)) {
      List<Object> outcomes = ring.onAllRanks(c -> {
        if (c.rank() == 2) {
          Thread.sleep(50); // the others are already waiting on the ring
          c.close();
          return null;
        }
        try {
          c.allReduceMean(new float[1 << 20]);
          return null;
        } catch (CollectiveException e) {
          return e;
        }
      });
      for (int r : new int[] {0, 1, 3}) {
        assertNamesRank(2, (Throwable) outcomes.get(r));
      }
      // a broken ring keeps failing clearly instead of hanging
      assertNamesRank(2, assertThrows(CollectiveException.class, () -> ring.ranks.get(0).barrier()));
    }
  }

  @Test
  void aSilentRankMakesTheOthersTimeOut() throws Exception {
    try (LoopbackRing ring = new LoopbackRing(3, TIMEOUT, 4096)) {
      long start = System.nanoTime();
      List<Object> outcomes = ring.onAllRanks(c -> {
        if (c.rank() == 2) {
          return null; // alive, connected, but never takes part
        }
        try {
          c.allReduceMean(new float[1000]);
          return null;
        } catch (CollectiveException e) {
          return e;
        }
      });
      assertTrue(System.nanoTime() - start < 2 * TIMEOUT.toNanos() + 1_000_000_000L, "took too long to fail");
      // rank 0 reads from rank 2; rank 1 may time out on rank 0 a moment before rank 0's abort reaches it
      assertNamesRank(2, (Throwable) outcomes.get(0));
      assertTrue(outcomes.get(1) instanceof CollectiveException, "rank 1 did not fail");
    }
  }

  @Test
  void closeReleasesThePorts() throws Exception {
    List<InetSocketAddress> addresses;
    try (LoopbackRing ring = new LoopbackRing(3, TIMEOUT, 4096)) {
      ring.onAllRanks(c -> {
        c.barrier();
        return null;
      });
      addresses = ring.addresses;
    }
    for (InetSocketAddress a : addresses) {
      try (ServerSocket again = new ServerSocket(a.getPort(), 50, InetAddress.getByName("127.0.0.1"))) {
        assertEquals(a.getPort(), again.getLocalPort());
      }
    }
  }

  private static Throwable failure(Future<RingCollective> connecting) throws InterruptedException {
    try {
      connecting.get().close();
      throw new AssertionError("connected although a rank never joined");
    } catch (ExecutionException e) {
      return e.getCause();
    }
  }

  private static void assertNamesRank(int rank, Throwable t) {
    assertTrue(t instanceof CollectiveException, "expected a CollectiveException, got " + t);
    CollectiveException e = (CollectiveException) t;
    assertEquals(rank, e.peerRank(), e.getMessage());
    assertTrue(e.getMessage().contains("rank " + rank), e.getMessage());
  }
}
