package io.m3spark.search;

import java.util.Arrays;

/**
 * Merges partial top-k lists (each already sorted by {@link HitOrder}, e.g. one per corpus shard) into the top k of
 * their union, in {@link HitOrder}. Bounded: the result never holds more than k hits, so a per-query merge over any number
 * of shards needs O(k) memory. Because every partial list is the exact top of its shard under the same total order, the
 * merged list is exactly the global top k.
 */
public final class TopKMerger {

  private TopKMerger() {}

  /** The first {@code k} hits of the two sorted lists merged; either may be empty. */
  public static Hit[] merge(Hit[] a, Hit[] b, int k) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1, got " + k);
    }
    int n = Math.min(k, a.length + b.length);
    Hit[] out = new Hit[n];
    int i = 0;
    int j = 0;
    for (int o = 0; o < n; o++) {
      if (j >= b.length || (i < a.length && HitOrder.INSTANCE.compare(a[i], b[j]) <= 0)) {
        out[o] = a[i++];
      } else {
        out[o] = b[j++];
      }
    }
    return out;
  }

  /** Sorts a list of hits by {@link HitOrder} and keeps the first {@code k} (for unsorted input). */
  public static Hit[] top(Hit[] hits, int k) {
    Hit[] sorted = hits.clone();
    Arrays.sort(sorted, HitOrder.INSTANCE);
    return sorted.length <= k ? sorted : Arrays.copyOf(sorted, k);
  }
}
