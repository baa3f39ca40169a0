package io.m3spark.train.collective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A peer that hangs, dies or announces an absurd frame is noticed within seconds — long before the (here 30 s)
 * timeout for a live peer's data — and a peer that is merely busy is waited for. Peers that misbehave are played by
 * the test ({@link FakeRank}) after a genuine handshake.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RingLivenessTest {
  private static final Duration HEARTBEAT = Duration.ofSeconds(1);
  private static final RingSettings SETTINGS = RingSettings.of(Duration.ofSeconds(30)).withHeartbeatTimeout(HEARTBEAT);
  /** What a check may take beyond its own timeout: poll intervals, the abort's hop, a loaded machine. */
  private static final long SLACK_NANOS = 1_500_000_000L;

  @Test
  void aBusyPeerIsWaitedForPastTheHeartbeatTimeout() throws Exception {
    try (LoopbackRing ring = new LoopbackRing(2, SETTINGS)) {
      List<float[]> results = ring.onAllRanks(c -> {
        if (c.rank() == 1) {
          Thread.sleep(3 * HEARTBEAT.toMillis()); // computing its step; its heartbeats keep going
        }
        float[] data = {c.rank(), 10};
        c.allReduceMean(data);
        return data;
      });
      assertArrayEquals(new float[] {0.5f, 10}, results.get(0));
      assertArrayEquals(new float[] {0.5f, 10}, results.get(1));
    }
  }

  @Test
  void aHungPeerIsNamedWithinTheHeartbeatTimeout() throws Exception {
    try (Ring ring = new Ring(2, 1)) {
      long start = System.nanoTime();
      CollectiveException e = assertThrows(CollectiveException.class,
          () -> ring.real(0).allReduceMean(new float[1000]));
      assertWithin(start, HEARTBEAT.toNanos());
      assertNamesRank(1, e);
      assertTrue(e.getMessage().contains("not even a heartbeat"), e.getMessage());
    }
  }

  /**
   * Rank 0's chunk for the hung rank 1 is larger than the socket buffers, so its send never finishes; rank 2, which
   * reads from rank 1, notices the silence, and its abort reaches rank 0 although rank 0 is waiting on a send.
   */
  @Test
  void aRankStuckSendingToAHungPeerLearnsOfItThroughTheRing() throws Exception {
    int floats = 3 * (16 << 20); // chunks of 64 MiB
    try (Ring ring = new Ring(3, 1, SETTINGS.withBucketBytes(floats * Float.BYTES))) {
      long start = System.nanoTime();
      List<Future<CollectiveException>> outcomes = new ArrayList<>();
      for (int r : new int[] {0, 2}) {
        outcomes.add(ring.threads.submit(() -> assertThrows(CollectiveException.class,
            () -> ring.real(r).allReduceMean(new float[floats]))));
      }
      for (Future<CollectiveException> f : outcomes) {
        assertNamesRank(1, f.get());
      }
      assertWithin(start, HEARTBEAT.toNanos());
    }
  }

  /** A killed process's sockets are reset by the kernel: its neighbours, and through them the ring, fail at once. */
  @Test
  void aKilledPeerIsNamedAtOnce() throws Exception {
    RingSettings patient = RingSettings.of(Duration.ofSeconds(30)).withHeartbeatTimeout(Duration.ofSeconds(30));
    try (Ring ring = new Ring(4, 1, patient)) {
      List<Future<CollectiveException>> outcomes = new ArrayList<>();
      for (int r : new int[] {0, 2, 3}) {
        outcomes.add(ring.threads.submit(() -> assertThrows(CollectiveException.class,
            () -> ring.real(r).allReduceMean(new float[100_000]))));
      }
      Thread.sleep(300); // the others are waiting on the ring
      long killed = System.nanoTime();
      ring.fake.kill();
      for (Future<CollectiveException> f : outcomes) {
        assertNamesRank(1, f.get());
      }
      assertWithin(killed, 0);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"allReduceMean", "allGather"})
  void anAnnouncedFrameOfAGigaFloatFailsAtOnceNamingItsSender(String operation) throws Exception {
    try (Ring ring = new Ring(2, 1)) {
      Future<?> receiving = ring.threads.submit(() -> operation.equals("allGather")
          ? ring.real(0).allGather(new float[10], 10) : runAllReduce(ring.real(0)));
      Thread.sleep(100);
      long start = System.nanoTime();
      ring.fake.sendHeader(1 << 30);
      java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
          receiving::get);
      assertWithin(start, 0);
      assertNamesRank(1, e.getCause());
      assertTrue(e.getCause().getMessage().contains("1073741824 floats"), e.getCause().getMessage());
    }
  }

  private static Object runAllReduce(Collective c) {
    c.allReduceMean(new float[100]);
    return null;
  }

  @Test
  void theAbortCheckStopsAnOperationWaitingOnALivePeer() throws Exception {
    AtomicBoolean aborted = new AtomicBoolean();
    try (LoopbackRing ring = new LoopbackRing(2, SETTINGS.withAbortCheck(aborted::get))) {
      ScheduledAbort abort = new ScheduledAbort(aborted, 300);
      // rank 1 is alive (heartbeats) but never joins the operation
      CollectiveException e = assertThrows(CollectiveException.class,
          () -> ring.ranks.get(0).allReduceMean(new float[1000]));
      assertWithin(abort.firedAt(), 0);
      assertNamesRank(0, e);
      assertTrue(e.getMessage().contains("aborted"), e.getMessage());
    }
  }

  @Test
  void theAbortCheckStopsARankWaitingForItsNeighboursToConnect() throws Exception {
    AtomicBoolean aborted = new AtomicBoolean();
    List<RingCollective.Listener> listeners = LoopbackRing.openListeners(2);
    List<InetSocketAddress> addresses = List.of(listeners.get(0).address(), listeners.get(1).address());
    try {
      ScheduledAbort abort = new ScheduledAbort(aborted, 300);
      // rank 1 listens but never joins
      CollectiveException e = assertThrows(CollectiveException.class, () -> listeners.get(0).connect(0, addresses,
          RingSecret.random(), SETTINGS.withAbortCheck(aborted::get)));
      assertWithin(abort.firedAt(), 0);
      assertNamesRank(0, e);
    } finally {
      listeners.get(1).close();
    }
  }

  /** Sets the flag after a delay, on its own thread. */
  private static final class ScheduledAbort {
    private volatile long firedAt;
    private final Thread thread;

    ScheduledAbort(AtomicBoolean flag, long delayMillis) {
      thread = new Thread(() -> {
        try {
          Thread.sleep(delayMillis);
        } catch (InterruptedException e) {
          return;
        }
        firedAt = System.nanoTime();
        flag.set(true);
      });
      thread.start();
    }

    long firedAt() throws InterruptedException {
      thread.join();
      return firedAt;
    }
  }

  /** Real ranks on loopback with one rank played by a {@link FakeRank} that completed its handshakes. */
  private static final class Ring implements AutoCloseable {
    final ExecutorService threads = Executors.newCachedThreadPool();
    final FakeRank fake;
    private final Map<Integer, RingCollective> real = new TreeMap<>();

    Ring(int worldSize, int fakeRank) throws Exception {
      this(worldSize, fakeRank, SETTINGS);
    }

    Ring(int worldSize, int fakeRank, RingSettings settings) throws Exception {
      fake = new FakeRank(fakeRank);
      Map<Integer, RingCollective.Listener> listeners = new TreeMap<>();
      List<InetSocketAddress> addresses = new ArrayList<>();
      for (int r = 0; r < worldSize; r++) {
        if (r == fakeRank) {
          addresses.add(fake.address());
        } else {
          listeners.put(r, RingCollective.open("127.0.0.1"));
          addresses.add(listeners.get(r).address());
        }
      }
      RingSecret secret = RingSecret.random();
      Map<Integer, Future<RingCollective>> connecting = LoopbackRing.connectOnThreads(threads, listeners, addresses,
          secret, settings);
      fake.join(addresses, secret);
      for (Map.Entry<Integer, Future<RingCollective>> e : connecting.entrySet()) {
        real.put(e.getKey(), e.getValue().get());
      }
    }

    RingCollective real(int rank) {
      return real.get(rank);
    }

    @Override
    public void close() {
      real.values().forEach(RingCollective::close);
      fake.close();
      threads.shutdownNow();
    }
  }

  /** The failure came within {@code limitNanos} of {@code since}, plus slack. */
  private static void assertWithin(long since, long limitNanos) {
    long took = System.nanoTime() - since;
    assertTrue(took < limitNanos + SLACK_NANOS, "took " + took / 1_000_000 + " ms");
  }

  private static void assertNamesRank(int rank, Throwable t) {
    assertTrue(t instanceof CollectiveException, "expected a CollectiveException, got " + t);
    CollectiveException e = (CollectiveException) t;
    assertEquals(rank, e.peerRank(), e.getMessage());
    assertTrue(e.getMessage().contains("rank " + rank), e.getMessage());
  }
}
