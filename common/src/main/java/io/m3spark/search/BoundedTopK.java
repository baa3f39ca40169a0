package io.m3spark.search;

import java.io.Serializable;
import java.util.Arrays;
import java.util.PriorityQueue;

/**
 * The best {@code k} of a stream of hits in {@link HitOrder}, in O(k) memory: a heap whose head is the worst hit kept.
 * Mergeable, so Spark can use it as a combiner ({@code combineByKey}) and never group a query's candidates in full.
 */
public final class BoundedTopK implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int k;
  /** Worst first: the reverse of {@link HitOrder}. */
  private final PriorityQueue<Hit> heap;

  public BoundedTopK(int k) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1, got " + k);
    }
    this.k = k;
    this.heap = new PriorityQueue<>(HitOrder.INSTANCE.reversed());
  }

  /** How many hits this keeps at most. */
  public int k() {
    return k;
  }

  /** Offers one hit; it is kept only while it is among the best k seen. */
  public BoundedTopK add(Hit hit) {
    if (heap.size() < k) {
      heap.add(hit);
    } else if (HitOrder.INSTANCE.compare(hit, heap.peek()) < 0) {
      heap.poll();
      heap.add(hit);
    }
    return this;
  }

  /** Adds every hit of {@code other} (same k). */
  public BoundedTopK merge(BoundedTopK other) {
    other.heap.forEach(this::add);
    return this;
  }

  /** The kept hits, best first. */
  public Hit[] sorted() {
    Hit[] hits = heap.toArray(new Hit[0]);
    Arrays.sort(hits, HitOrder.INSTANCE);
    return hits;
  }
}
