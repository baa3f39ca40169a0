package io.m3spark.bench;

import io.m3spark.train.collective.RingCollective;
import io.m3spark.train.collective.RingSecret;
import io.m3spark.train.collective.RingSettings;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The ring all-reduce of {@link RingCollective} on loopback: W ranks as threads of this JVM, each with its own sockets
 * (as the W workers of a local-mode job have), averaging a gradient-sized float array. Median seconds of repeated
 * all-reduces after one warm-up.
 */
final class RingBandwidth {
  private RingBandwidth() {}

  static double medianSeconds(int worldSize, int floats, int repeats) throws Exception {
    List<RingCollective.Listener> listeners = new ArrayList<>();
    RingSecret secret = RingSecret.random();
    List<InetSocketAddress> peers = new ArrayList<>();
    for (int r = 0; r < worldSize; r++) {
      RingCollective.Listener l = RingCollective.open("127.0.0.1");
      listeners.add(l);
      peers.add(l.address());
    }
    ExecutorService ranks = Executors.newFixedThreadPool(worldSize);
    try {
      List<Future<double[]>> results = new ArrayList<>();
      for (int r = 0; r < worldSize; r++) {
        int rank = r;
        results.add(ranks.submit(() -> {
          try (RingCollective ring = listeners.get(rank).connect(rank, peers, secret,
              RingSettings.of(Duration.ofMinutes(2)))) {
            float[] data = new float[floats];
            Arrays.fill(data, rank);
            ring.allReduceMean(data); // warm-up: sockets' buffers, JIT
            double[] seconds = new double[repeats];
            for (int i = 0; i < repeats; i++) {
              ring.barrier();
              long t = System.nanoTime();
              ring.allReduceMean(data);
              seconds[i] = (System.nanoTime() - t) / 1e9;
            }
            return seconds;
          }
        }));
      }
      double[] slowest = new double[repeats];
      for (Future<double[]> f : results) {
        double[] s = f.get();
        for (int i = 0; i < repeats; i++) {
          slowest[i] = Math.max(slowest[i], s[i]);
        }
      }
      Arrays.sort(slowest);
      return slowest[repeats / 2];
    } finally {
      ranks.shutdownNow();
    }
  }
}
