package io.m3spark.train.collective;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
  /** What the ranks share; in a real ring each derives it from the others' contributions. */
  final RingSecret secret;
  private final ExecutorService threads;

  LoopbackRing(int worldSize, Duration timeout, int bucketBytes) throws Exception {
    this(worldSize, RingSettings.of(timeout).withBucketBytes(bucketBytes));
  }

  LoopbackRing(int worldSize, RingSettings settings) throws Exception {
    this(openListeners(worldSize), RingSecret.random(), settings);
  }

  /** Connects a ring on listeners opened beforehand; returns once every rank is connected. */
  LoopbackRing(List<RingCollective.Listener> listeners, RingSecret secret, RingSettings settings) throws Exception {
    this.secret = secret;
    threads = Executors.newFixedThreadPool(listeners.size());
    for (RingCollective.Listener l : listeners) {
      addresses.add(l.address());
    }
    List<Future<RingCollective>> connecting = new ArrayList<>();
    for (int r = 0; r < listeners.size(); r++) {
      int rank = r;
      connecting.add(threads.submit(() -> listeners.get(rank).connect(rank, addresses, secret, settings)));
    }
    for (Future<RingCollective> c : connecting) {
      ranks.add(c.get());
    }
  }

  /**
   * Starts the real ranks of a ring some of whose ranks are played by the test ({@link FakeRank}): each listener in
   * {@code listeners} (by rank) connects on its own thread.
   */
  static Map<Integer, Future<RingCollective>> connectOnThreads(ExecutorService threads,
      Map<Integer, RingCollective.Listener> listeners, List<InetSocketAddress> addresses, RingSecret secret,
      RingSettings settings) {
    Map<Integer, Future<RingCollective>> connecting = new TreeMap<>();
    listeners.forEach((rank, l) -> connecting.put(rank, threads.submit(() -> l.connect(rank, addresses, secret,
        settings))));
    return connecting;
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
