package io.m3spark.train.collective;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** W ranks of a {@link RingCollective} as threads of this JVM on 127.0.0.1, for tests and the bandwidth probe. */
final class LoopbackRing implements AutoCloseable {
  /** One rank's part of a collective run; the whole ring runs it at once. */
  interface RankWork<T> {
    T run(Collective collective) throws Exception;
  }

  final List<RingCollective> ranks = new ArrayList<>();
  final List<InetSocketAddress> addresses = new ArrayList<>();
  private final ExecutorService threads;

  LoopbackRing(int worldSize, Duration timeout, int bucketBytes) throws Exception {
    threads = Executors.newFixedThreadPool(worldSize);
    List<RingCollective.Listener> listeners = openListeners(worldSize);
    for (RingCollective.Listener l : listeners) {
      addresses.add(l.address());
    }
    List<Future<RingCollective>> connecting = new ArrayList<>();
    for (int r = 0; r < worldSize; r++) {
      int rank = r;
      connecting.add(threads.submit(() -> listeners.get(rank).connect(rank, addresses, timeout, bucketBytes)));
    }
    for (Future<RingCollective> c : connecting) {
      ranks.add(c.get());
    }
  }

  static List<RingCollective.Listener> openListeners(int worldSize) throws IOException {
    List<RingCollective.Listener> listeners = new ArrayList<>();
    for (int r = 0; r < worldSize; r++) {
      listeners.add(RingCollective.open("127.0.0.1"));
    }
    return listeners;
  }

  /** Runs {@code work} on every rank concurrently; the results are in rank order. */
  <T> List<T> onAllRanks(RankWork<T> work) throws Exception {
    List<Future<T>> running = new ArrayList<>();
    for (RingCollective c : ranks) {
      running.add(threads.submit(() -> work.run(c)));
    }
    List<T> results = new ArrayList<>();
    for (Future<T> f : running) {
      try {
        results.add(f.get());
      } catch (ExecutionException e) {
        if (e.getCause() instanceof Exception cause) {
          throw cause;
        }
        throw e;
      }
    }
    return results;
  }

  @Override
  public void close() {
    ranks.forEach(RingCollective::close);
    threads.shutdownNow();
  }
}
