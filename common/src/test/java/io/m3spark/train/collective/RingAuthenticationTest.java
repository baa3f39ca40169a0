package io.m3spark.train.collective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Only a process that knows the ring's secret becomes a neighbour: impostors, silent and half-spoken connections are
 * dropped while the genuine ring forms beside them, and a rank whose neighbour cannot prove itself names it.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RingAuthenticationTest {
  private static final Duration HANDSHAKE = Duration.ofSeconds(2);
  private static final RingSettings SETTINGS = RingSettings.of(Duration.ofSeconds(20)).withHandshakeTimeout(HANDSHAKE);

  @Test
  void impostorsThatConnectFirstAreRejectedAndTheGenuineRingStillForms() throws Exception {
    List<RingCollective.Listener> listeners = LoopbackRing.openListeners(3);
    InetSocketAddress rank1 = listeners.get(1).address();
    ExecutorService threads = Executors.newCachedThreadPool();
    // three processes claim to be rank 0 before rank 0 connects: they are first in rank 1's accept queue
    try (Socket wrongSecret = connect(rank1); Socket madeUpProof = connect(rank1);
        Socket oldProtocol = connect(rank1)) {
      Future<?> withWrongSecret = threads.submit(() -> {
        RingHandshake.connect(wrongSecret, new PolledInput(wrongSecret, wrongSecret.getInputStream()), 0, 1,
            RingSecret.random(), silent -> {});
        return null;
      });
      DataOutputStream madeUp = new DataOutputStream(madeUpProof.getOutputStream());
      madeUp.writeInt(0);
      madeUp.write(RingSecret.contribution()); // a challenge
      madeUp.flush();
      new DataOutputStream(oldProtocol.getOutputStream()).writeInt(0); // the handshake before authentication

      RingSecret secret = RingSecret.random();
      try (LoopbackRing ring = new LoopbackRing(listeners, secret, SETTINGS)) {
        float[][] inputs = RingCollectiveTest.randomArrays(3, 1000, 5);
        List<float[]> results = ring.onAllRanks(c -> {
          float[] data = inputs[c.rank()].clone();
          c.allReduceMean(data);
          return data;
        });
        for (int i = 0; i < 1000; i++) {
          assertEquals((inputs[0][i] + inputs[1][i] + inputs[2][i]) / 3.0, results.get(1)[i], 1e-6);
        }
        assertArrayEquals(results.get(0), results.get(1));
      }

      ExecutionException e = assertThrows(ExecutionException.class, withWrongSecret::get);
      assertTrue(e.getCause().getMessage().contains("could not prove"), e.getCause().getMessage());
      // the made-up proof gets the connection closed instead of the OK byte
      InputStream reply = madeUpProof.getInputStream();
      assertEquals(RingHandshake.REPLY_BYTES, reply.readNBytes(RingHandshake.REPLY_BYTES).length);
      madeUpProof.getOutputStream().write(RingSecret.contribution());
      assertEquals(-1, readWithin(madeUpProof, HANDSHAKE.plusSeconds(2)));
      assertEquals(-1, readWithin(oldProtocol, HANDSHAKE.plusSeconds(2)));
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void connectionsThatSayNothingOrTooLittleAreDroppedAfterTheHandshakeTimeout() throws Exception {
    Duration handshake = Duration.ofSeconds(2);
    RingSettings settings = SETTINGS.withHandshakeTimeout(handshake);
    List<RingCollective.Listener> listeners = LoopbackRing.openListeners(2);
    List<InetSocketAddress> addresses = List.of(listeners.get(0).address(), listeners.get(1).address());
    ExecutorService threads = Executors.newFixedThreadPool(2);
    RingSecret secret = RingSecret.random();
    try (Socket silent = connect(addresses.get(0)); Socket tooLittle = connect(addresses.get(0))) {
      tooLittle.getOutputStream().write(new byte[] {0, 0, 0}); // not even a whole rank
      long start = System.nanoTime();
      Future<RingCollective> rank0 = threads.submit(() -> listeners.get(0).connect(0, addresses, secret, settings));
      for (Socket s : List.of(silent, tooLittle)) {
        assertEquals(-1, readWithin(s, handshake.plusSeconds(2)));
        long waited = System.nanoTime() - start;
        assertTrue(waited >= handshake.toNanos() - 200_000_000L, "dropped before the handshake timeout: " + waited);
      }
      // more of them, now while the genuine neighbour connects: they do not hold it up
      try (Socket silentAgain = connect(addresses.get(0)); Socket andAgain = connect(addresses.get(0))) {
        long joining = System.nanoTime();
        Future<RingCollective> rank1 = threads.submit(() -> listeners.get(1).connect(1, addresses, secret, settings));
        try (RingCollective zero = rank0.get(); RingCollective one = rank1.get()) {
          assertTrue(System.nanoTime() - joining < handshake.toNanos(), "the ring waited for the silent connections");
          Future<float[][]> gathered = threads.submit(() -> one.allGather(new float[] {1}, 1));
          assertArrayEquals(new float[][] {{0}, {1}}, zero.allGather(new float[] {0}, 1));
          assertArrayEquals(new float[][] {{0}, {1}}, gathered.get());
        }
        // and once the ring is up they are closed
        assertEquals(-1, readWithin(silentAgain, handshake));
        assertEquals(-1, readWithin(andAgain, handshake));
      }
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void aConnectorNamesTheRankWhoseAddressCannotProveItself() throws Exception {
    ExecutorService threads = Executors.newCachedThreadPool();
    RingCollective.Listener rank0 = RingCollective.open("127.0.0.1");
    // rank 1's address is held by a process that knows another secret
    try (FakeRank rank1 = new FakeRank(1)) {
      List<InetSocketAddress> addresses = List.of(rank0.address(), rank1.address());
      Future<?> impostor = threads.submit(() -> {
        rank1.join(addresses, RingSecret.random());
        return null;
      });
      CollectiveException e = assertThrows(CollectiveException.class,
          () -> rank0.connect(0, addresses, RingSecret.random(), SETTINGS));
      assertEquals(1, e.peerRank());
      assertTrue(e.getMessage().contains("rank 1") && e.getMessage().contains("could not prove"), e.getMessage());
      assertThrows(ExecutionException.class, impostor::get);
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void ranksThatDeriveTheSecretFromTheSameContributionsFormARingOthersDoNot() throws Exception {
    List<byte[]> contributions = List.of(RingSecret.contribution(), RingSecret.contribution());
    // each rank derives its own copy, as each task of a barrier stage does
    assertRingForms(RingSecret.fromContributions(contributions), RingSecret.fromContributions(contributions), true);
    List<byte[]> changed = new ArrayList<>(contributions);
    byte[] flipped = contributions.get(1).clone();
    flipped[0] ^= 1;
    changed.set(1, flipped);
    assertRingForms(RingSecret.fromContributions(contributions), RingSecret.fromContributions(changed), false);

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> RingSecret.fromContributions(List.of(new byte[16])));
    assertTrue(e.getMessage().contains("rank 0 contributed 16 bytes"), e.getMessage());
    assertFalse(RingSecret.random().toString().matches(".*[0-9a-f]{16}.*"), "the secret must not be printed");
  }

  private static void assertRingForms(RingSecret forRank0, RingSecret forRank1, boolean forms) throws Exception {
    List<RingCollective.Listener> listeners = LoopbackRing.openListeners(2);
    List<InetSocketAddress> addresses = List.of(listeners.get(0).address(), listeners.get(1).address());
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      Map<Integer, Future<RingCollective>> ranks = Map.of(
          0, threads.submit(() -> listeners.get(0).connect(0, addresses, forRank0, SETTINGS)),
          1, threads.submit(() -> listeners.get(1).connect(1, addresses, forRank1, SETTINGS)));
      for (int r = 0; r < 2; r++) {
        if (forms) {
          ranks.get(r).get().close();
        } else {
          ExecutionException e = assertThrows(ExecutionException.class, ranks.get(r)::get);
          assertTrue(e.getCause() instanceof CollectiveException, String.valueOf(e.getCause()));
          assertNotEquals(r, ((CollectiveException) e.getCause()).peerRank(), e.getCause().getMessage());
        }
      }
    } finally {
      threads.shutdownNow();
    }
  }

  private static Socket connect(InetSocketAddress address) throws IOException {
    return new Socket(address.getHostString(), address.getPort());
  }

  /** The next byte, or -1 at end of stream; fails if neither comes within {@code limit}. */
  private static int readWithin(Socket socket, Duration limit) throws IOException {
    socket.setSoTimeout(Math.toIntExact(limit.toMillis()));
    try {
      return socket.getInputStream().read();
    } catch (SocketTimeoutException e) {
      throw new AssertionError("the connection was still open after " + limit, e);
    }
  }
}
