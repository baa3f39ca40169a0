package io.m3spark.mining;

import java.util.List;

/**
 * The corpus that short negative lists are topped up from (spec §1.2 step 7), accessed by index so that a draw costs
 * O(1) and the pool can be a broadcast array. It should hold distinct texts (FlagEmbedding's corpus is a set); the
 * sampler never picks the same text twice even if it does not.
 */
public interface TopUpPool {
  int size();

  /** The text at {@code index}, 0 ≤ index &lt; size(). */
  String text(int index);

  /** An empty pool: records short of negatives stay short (and are reported). */
  static TopUpPool empty() {
    return of(List.of());
  }

  /** A pool over a list, which must not change while it is used. */
  static TopUpPool of(List<String> texts) {
    return new TopUpPool() {
      @Override
      public int size() {
        return texts.size();
      }

      @Override
      public String text(int index) {
        return texts.get(index);
      }
    };
  }
}
