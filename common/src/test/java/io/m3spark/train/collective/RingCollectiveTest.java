package io.m3spark.train.collective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The ring's results on 2 to 4 loopback ranks, compared with the same sums done here in double precision. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class RingCollectiveTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  /** 64 floats per bucket, so a few hundred floats already span several buckets. */
  private static final int SMALL_BUCKET_BYTES = 256;

  @ParameterizedTest
  @ValueSource(ints = {2, 3, 4})
  void allReduceMeanIsTheMeanAndBitIdenticalOnEveryRank(int worldSize) throws Exception {
    int[] lengths = {0, 1, worldSize - 1, worldSize, 7 * worldSize + 1, 5 * 64 + 3, 100_003};
    try (LoopbackRing ring = new LoopbackRing(worldSize, TIMEOUT, SMALL_BUCKET_BYTES)) {
      for (int length : lengths) {
        float[][] inputs = randomArrays(worldSize, length, length);
        List<float[]> results = ring.onAllRanks(c -> {
          float[] data = inputs[c.rank()].clone();
          c.allReduceMean(data);
          return data;
        });
        float[] expected = mean(inputs);
        for (int r = 0; r < worldSize; r++) {
          assertArrayEquals(expected, results.get(r), 1e-6f, "rank " + r + ", length " + length);
          assertBitIdentical(results.get(0), results.get(r));
        }
      }
    }
  }

  @Test
  void repeatedRunsGiveTheSameBits() throws Exception {
    float[][] inputs = randomArrays(4, 10_000, 7);
    try (LoopbackRing ring = new LoopbackRing(4, TIMEOUT, 1024)) {
      float[] first = null;
      for (int run = 0; run < 3; run++) {
        float[] result = ring.onAllRanks(c -> {
          float[] data = inputs[c.rank()].clone();
          c.allReduceMean(data);
          return data;
        }).get(0);
        if (first == null) {
          first = result;
        }
        assertBitIdentical(first, result);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {2, 3, 4})
  void allGatherReturnsEveryBlockInRankOrder(int worldSize) throws Exception {
    try (LoopbackRing ring = new LoopbackRing(worldSize, TIMEOUT, SMALL_BUCKET_BYTES)) {
      // blocks of different lengths, the last one empty
      List<float[][]> results = ring.onAllRanks(c -> c.allGather(block(c.rank(), c.worldSize()), 1000 * worldSize));
      for (float[][] gathered : results) {
        assertEquals(worldSize, gathered.length);
        for (int r = 0; r < worldSize; r++) {
          assertArrayEquals(block(r, worldSize), gathered[r]);
        }
      }
    }
  }

  private static float[] block(int rank, int worldSize) {
    float[] b = new float[rank == worldSize - 1 ? 0 : 1000 * (rank + 1)];
    for (int i = 0; i < b.length; i++) {
      b[i] = rank * 10_000 + i;
    }
    return b;
  }

  @Test
  void barrierReleasesNoRankBeforeAllHaveArrived() throws Exception {
    int worldSize = 3;
    long[] arrived = new long[worldSize];
    long[] left = new long[worldSize];
    try (LoopbackRing ring = new LoopbackRing(worldSize, TIMEOUT, SMALL_BUCKET_BYTES)) {
      ring.onAllRanks(c -> {
        Thread.sleep(100L * c.rank()); // rank 2 arrives last, 200 ms late
        arrived[c.rank()] = System.nanoTime();
        c.barrier();
        left[c.rank()] = System.nanoTime();
        return null;
      });
    }
    long lastArrival = Math.max(arrived[0], Math.max(arrived[1], arrived[2]));
    for (int r = 0; r < worldSize; r++) {
      assertTrue(left[r] >= lastArrival, "rank " + r + " left the barrier before rank 2 arrived");
    }
  }

  @Test
  void mismatchedLengthsFailClearly() throws Exception {
    try (LoopbackRing ring = new LoopbackRing(2, TIMEOUT, SMALL_BUCKET_BYTES)) {
      Exception e = assertThrows(CollectiveException.class,
          () -> ring.onAllRanks(c -> {
            c.allReduceMean(new float[10 + c.rank()]);
            return null;
          }));
      assertTrue(e.getMessage().contains("different"), e.getMessage());
    }
  }

  @Test
  void connectsOnAddressesFixedInAdvance() throws Exception {
    List<InetSocketAddress> peers = new ArrayList<>();
    for (int r = 0; r < 2; r++) {
      try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
        peers.add(new InetSocketAddress("127.0.0.1", free.getLocalPort()));
      }
    }
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      RingSecret secret = RingSecret.random();
      RingSettings settings = RingSettings.of(TIMEOUT);
      Future<RingCollective> rank1 = threads.submit(() -> RingCollective.connect(1, peers, secret, settings));
      try (RingCollective zero = RingCollective.connect(0, peers, secret, settings); RingCollective one = rank1.get()) {
        Future<float[][]> gathered1 = threads.submit(() -> one.allGather(new float[] {1}, 1));
        assertArrayEquals(new float[][] {{0}, {1}}, zero.allGather(new float[] {0}, 1));
        assertArrayEquals(new float[][] {{0}, {1}}, gathered1.get());
      }
    } finally {
      threads.shutdownNow();
    }
  }

  static float[][] randomArrays(int worldSize, int length, long seed) {
    Random random = new Random(seed);
    float[][] arrays = new float[worldSize][length];
    for (float[] a : arrays) {
      for (int i = 0; i < length; i++) {
        a[i] = random.nextFloat(); // in [0, 1): float sums stay within 1e-6 of the double ones
      }
    }
    return arrays;
  }

  private static float[] mean(float[][] inputs) {
    float[] mean = new float[inputs[0].length];
    for (int i = 0; i < mean.length; i++) {
      double sum = 0;
      for (float[] in : inputs) {
        sum += in[i];
      }
      mean[i] = (float) (sum / inputs.length);
    }
    return mean;
  }

  private static void assertBitIdentical(float[] expected, float[] actual) {
    assertEquals(expected.length, actual.length);
    for (int i = 0; i < expected.length; i++) {
      if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
        throw new AssertionError("element " + i + " differs: " + expected[i] + " vs " + actual[i]);
      }
    }
  }

  @Test
  void defaultBucketsGrowWithTheWorldSoHopsStayLarge() {
    assertEquals(4 << 20, RingCollective.defaultBucketBytes(2));
    assertEquals(4 << 20, RingCollective.defaultBucketBytes(16));
    assertEquals(32 << 20, RingCollective.defaultBucketBytes(128));
  }
}
