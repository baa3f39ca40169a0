package io.m3spark.search;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import io.m3spark.model.Scores;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The batched ColBERT scores equal {@link Scores#colbert} pair by pair, across chunk boundaries and empty inputs. */
class ColbertScorerTest {

  private static float[][] vectors(Random random, int n, int dim) {
    float[][] v = new float[n][dim];
    for (float[] row : v) {
      for (int i = 0; i < dim; i++) {
        row[i] = (float) random.nextGaussian();
      }
    }
    return v;
  }

  @Test
  void equalsThePairwiseScore() {
    Random random = new Random(3);
    float[][] passage = vectors(random, 40, 16);
    List<float[][]> queries = new ArrayList<>();
    queries.add(vectors(random, 0, 16));
    for (int i = 0; i < 300; i++) {
      queries.add(vectors(random, 1 + random.nextInt(60), 16)); // ~9,000 rows: more than one product
    }
    try (ColbertScorer scorer = new ColbertScorer(Device.cpu())) {
      double[] scores = scorer.scores(passage, queries);
      for (int i = 0; i < queries.size(); i++) {
        assertEquals(Scores.colbert(queries.get(i), passage), scores[i], 1e-4, "query " + i);
      }
      assertEquals(0.0, scorer.scores(new float[0][], java.util.Collections.singletonList(vectors(random, 3, 16)))[0]);
    }
  }
}
