package io.m3spark.train.data;

import java.util.random.RandomGenerator;

/**
 * Which negatives fill a group's G−1 slots (spec §4.3). With at least G−1 negatives: G−1 distinct ones, uniformly.
 * With fewer: the index list repeated {@code ceil((G−1)/len)} times, then G−1 drawn from that without replacement, so
 * each negative appears at most that many times — FlagEmbedding's balanced duplication.
 */
final class NegativeDraw {
  private NegativeDraw() {}

  /** Indices into {@code neg} (size {@code negCount} ≥ 1), {@code slots} of them, in drawn order. */
  static int[] indices(int negCount, int slots, RandomGenerator random) {
    if (negCount < 1) {
      throw new IllegalArgumentException("no negatives to draw from");
    }
    int copies = negCount >= slots ? 1 : (slots + negCount - 1) / negCount;
    int[] pool = new int[negCount * copies];
    for (int i = 0; i < pool.length; i++) {
      pool[i] = i % negCount;
    }
    // a partial Fisher–Yates: the first `slots` positions are a uniform sample without replacement, in random order
    for (int i = 0; i < slots; i++) {
      int j = i + random.nextInt(pool.length - i);
      int t = pool[i];
      pool[i] = pool[j];
      pool[j] = t;
    }
    int[] out = new int[slots];
    System.arraycopy(pool, 0, out, 0, slots);
    return out;
  }
}
