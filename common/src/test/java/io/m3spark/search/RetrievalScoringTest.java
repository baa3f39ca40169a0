package io.m3spark.search;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.m3spark.model.Scores;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The scoring pieces of evaluation retrieval: bounded top-k, array sparse scores, mode scores. */
class RetrievalScoringTest {

  @Test
  void boundedTopKKeepsTheBestInHitOrderWhateverTheInsertionOrder() {
    Random random = new Random(7);
    Hit[] all = new Hit[200];
    for (int i = 0; i < all.length; i++) {
      all[i] = new Hit(String.format("d%03d", i), random.nextInt(20)); // many ties: docid decides
    }
    BoundedTopK left = new BoundedTopK(10);
    BoundedTopK right = new BoundedTopK(10);
    for (int i = 0; i < all.length; i++) {
      (i % 2 == 0 ? left : right).add(all[i]);
    }
    assertArrayEquals(TopKMerger.top(all, 10), left.merge(right).sorted());
    assertThrows(IllegalArgumentException.class, () -> new BoundedTopK(0));
  }

  @Test
  void sparseScoreOnSortedArraysEqualsTheMapScore() {
    Map<Integer, Float> q = Map.of(5, 0.3f, 9, 0.5f, 40, 0.25f);
    Map<Integer, Float> p = Map.of(5, 0.25f, 10, 0.5f, 40, 2f);
    double expected = Scores.sparse(q, p);
    assertEquals(expected, Scores.sparse(new int[] {5, 9, 40}, new float[] {0.3f, 0.5f, 0.25f},
        new int[] {5, 10, 40}, new float[] {0.25f, 0.5f, 2f}), 0.0);
    assertEquals(0.3f * 0.25f + 0.25f * 2f, expected, 1e-7);
  }

  @Test
  void modeScoresFollowFlagEmbeddingsCombination() {
    double[] w = {0.4, 0.2, 0.4};
    assertEquals(0.9, RetrievalMode.DENSE.score(0.9, 0.3, 0.6, w), 0.0);
    assertEquals(0.3, RetrievalMode.SPARSE.score(0.9, 0.3, 0.6, w), 0.0);
    assertEquals(0.6, RetrievalMode.COLBERT.score(0.9, 0.3, 0.6, w), 0.0);
    assertEquals((0.4 * 0.9 + 0.2 * 0.3) / 0.6, RetrievalMode.DENSE_SPARSE.score(0.9, 0.3, 0.6, w), 1e-12);
    assertEquals(0.4 * 0.9 + 0.2 * 0.3 + 0.4 * 0.6, RetrievalMode.ALL.score(0.9, 0.3, 0.6, w), 1e-12);
    assertEquals(RetrievalMode.DENSE_SPARSE, RetrievalMode.parse("Dense+Sparse"));
    assertThrows(IllegalArgumentException.class, () -> RetrievalMode.parse("hybrid"));
  }
}
