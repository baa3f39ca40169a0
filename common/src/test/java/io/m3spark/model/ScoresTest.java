package io.m3spark.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The worked examples of flagembedding-behaviour.md §9.4 and the score formulas on small hand-made inputs. */
class ScoresTest {
  @Test
  void sparseWeightsAsInSection94() {
    int a = 500;
    int b = 600;
    Map<Integer, Float> w = M3Heads.sparseMap(new float[] {0.9f, 0.21f, 0.30f, 0.12f, 0.4f, 7f},
        new int[] {0, a, a, b, 2, 1}, 5, new int[] {0, 2, 1, 3});
    assertEquals(Map.of(a, 0.30f, b, 0.12f), w);
    assertEquals(List.of(a, b), List.copyOf(w.keySet()), "first-occurrence order");
    assertEquals(0.075, Scores.sparse(w, Map.of(a, 0.25f, 700, 0.5f)), 1e-7);
  }

  @Test
  void zeroWeightsAndUnknownIdsAreDropped() {
    Map<Integer, Float> w = M3Heads.sparseMap(new float[] {0f, 0f, 0.5f, 0.3f}, new int[] {0, 9, 3, 8}, 4,
        new int[] {0, 2, 1, 3});
    assertEquals(Map.of(8, 0.3f), w);
  }

  @Test
  void colbertIsMeanOfBestMatches() {
    float[][] q = {{1, 0}, {0, 1}};
    float[][] p = {{0.5f, 0.5f}, {0.9f, 0.1f}, {0f, 0.2f}};
    assertEquals((0.9 + 0.5) / 2, Scores.colbert(q, p), 1e-6);
  }

  @Test
  void combinedWeights() {
    PairScores s = Scores.combined(0.8, 3.0, 0.6, new double[] {0.4, 0.2, 0.4});
    assertEquals((0.4 * 0.8 + 0.2 * 3.0) / 0.6, s.sparseDense(), 1e-12);
    assertEquals((0.4 * 0.8 + 0.2 * 3.0 + 0.4 * 0.6) / 1.0, s.colbertSparseDense(), 1e-12);
    assertThrows(IllegalArgumentException.class, () -> Scores.combined(1, 1, 1, new double[] {1, 1}));
    assertThrows(IllegalArgumentException.class, () -> Scores.dense(new float[2], new float[3]));
  }
}
