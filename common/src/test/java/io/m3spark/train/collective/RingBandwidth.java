package io.m3spark.train.collective;

import java.time.Duration;

/**
 * Loopback all-reduce bandwidth of a 64 MiB float array with W = 2 ranks (not a unit test: it takes seconds). Prints
 * the algorithm bandwidth (array bytes / time) and the bus bandwidth (bytes each rank sends: 2(W−1)/W × array).
 *
 * <p>Run: {@code java -cp common/target/classes:common/target/test-classes
 * io.m3spark.train.collective.RingBandwidth [worldSize] [MiB]}
 */
public final class RingBandwidth {
  private RingBandwidth() {}

  public static void main(String[] args) throws Exception {
    int worldSize = args.length > 0 ? Integer.parseInt(args[0]) : 2;
    int mib = args.length > 1 ? Integer.parseInt(args[1]) : 64;
    int floats = mib * (1 << 20) / Float.BYTES;
    float[][] inputs = RingCollectiveTest.randomArrays(worldSize, floats, 1);
    try (LoopbackRing ring = new LoopbackRing(worldSize, Duration.ofSeconds(60), RingCollective.DEFAULT_BUCKET_BYTES)) {
      for (int run = 0; run < 6; run++) {
        long start = System.nanoTime();
        ring.onAllRanks(c -> {
          c.allReduceMean(inputs[c.rank()]);
          return null;
        });
        double seconds = (System.nanoTime() - start) / 1e9;
        double gib = mib / 1024.0;
        System.out.printf("%s W=%d %d MiB: %.3f s, algorithm %.2f GiB/s, bus %.2f GiB/s%n",
            run == 0 ? "warm-up" : "run " + run, worldSize, mib, seconds, gib / seconds,
            gib * 2 * (worldSize - 1) / worldSize / seconds);
      }
    }
  }
}
