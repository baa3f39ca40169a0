package io.m3spark.mining;

import static io.m3spark.mining.MiningFixtures.corpus;
import static io.m3spark.mining.MiningFixtures.hits;
import static io.m3spark.mining.MiningFixtures.ranked;
import static io.m3spark.mining.MiningFixtures.record;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m3spark.io.TrainRecord;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class NegativeSamplerTest {
  private static final MiningOptions DEFAULTS = MiningOptions.builder().build();
  private static final MiningOptions TOP = MiningOptions.builder().samplingStrategy(SamplingStrategy.TOP).build();

  private static MinedNegatives mine(MiningOptions o, TrainRecord r, List<Candidate> hits, List<Float> posScores,
      TopUpPool pool) {
    return new NegativeSampler(o).sample(0, r, hits, posScores, pool);
  }

  /** Spec §9.1: range 10-210, 2 positives, one at position 12. */
  @Test
  void workedExampleSkipsTheTop10AndThePositiveAtPosition12() {
    TrainRecord r = record("q", "p12", "a positive not retrieved");
    MinedNegatives random = mine(DEFAULTS, r, ranked(210), null, corpus(0));
    assertEquals(15, random.neg().size());
    assertEquals(200, random.candidatesSeen());
    assertEquals(1, random.filteredBy(FilterRule.IS_POSITIVE));
    assertTrue(random.positiveInResults());
    assertEquals(15, new HashSet<>(random.neg()).size());
    for (int i = 0; i < 15; i++) {
      int rank = random.ranks().get(i);
      assertTrue(rank >= 10 && rank < 210 && rank != 12, "rank " + rank);
      assertEquals("p" + rank, random.neg().get(i));
      assertEquals(0.9f - rank * 0.001f, random.negScores().get(i));
    }
    MinedNegatives top = mine(TOP, r, ranked(210), null, corpus(0));
    assertEquals(List.of(10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25), top.ranks());
    assertEquals(0, top.topUpCount());
    assertEquals(0, top.shortfall());
  }

  /** Spec §9.1, small corpus: 120 hits for K = 210 leave positions 10..119. */
  @Test
  void smallCorpusLeavesPositions10To119() {
    MiningOptions all = MiningOptions.builder().negativeNumber(500).samplingStrategy(SamplingStrategy.TOP).build();
    MinedNegatives m = mine(all, record("q", "not retrieved"), ranked(120), null, corpus(0));
    assertEquals(110, m.candidatesSeen());
    assertEquals(IntStream.range(10, 120).boxed().toList(), m.ranks());
    assertEquals(390, m.shortfall());
  }

  @Test
  void excludesOnlyExactQueryAndPositiveTexts() {
    MiningOptions o = MiningOptions.builder().range(0, 10).negativeNumber(10).samplingStrategy(SamplingStrategy.TOP)
        .build();
    TrainRecord r = record("what is the capital?", "Seoul is the capital.");
    List<Candidate> h = hits("Seoul is the capital.", 0.9, "what is the capital?", 0.8, "Seoul is the capital", 0.7,
        "what is the capital? ", 0.6, "seoul is the capital.", 0.5);
    MinedNegatives m = mine(o, r, h, null, corpus(0));
    assertEquals(List.of("Seoul is the capital", "what is the capital? ", "seoul is the capital."), m.neg());
    assertEquals(1, m.filteredBy(FilterRule.IS_POSITIVE));
    assertEquals(1, m.filteredBy(FilterRule.IS_QUERY));
  }

  @Test
  void duplicateHitTextsAreNeverTwoNegatives() {
    MiningOptions o = MiningOptions.builder().range(0, 5).negativeNumber(5).samplingStrategy(SamplingStrategy.TOP)
        .build();
    MinedNegatives m = mine(o, record("q", "p"), hits("a", 0.9, "b", 0.8, "a", 0.7), null, corpus(0));
    assertEquals(List.of("a", "b"), m.neg());
    assertEquals(1, m.filteredBy(FilterRule.DUPLICATE));
  }

  /** Positive score 0.80; hits 0.85, 0.79, 0.77, 0.75, 0.70, 0.50. */
  private static final List<Candidate> SCORED = hits("n85", 0.85, "n79", 0.79, "n77", 0.77, "n75", 0.75, "n70", 0.70,
      "n50", 0.50);

  private static List<String> filtered(MiningOptions.Builder b, List<Float> posScores) {
    MiningOptions o = b.range(0, 6).negativeNumber(6).samplingStrategy(SamplingStrategy.TOP).build();
    return mine(o, record("q", "p", "p2"), SCORED, posScores, corpus(0)).neg();
  }

  @Test
  void relativeMarginDropsScoresAboveShareOfThePositive() {
    // threshold (1 − 0.05) × 0.80 = 0.76
    assertEquals(List.of("n75", "n70", "n50"), filtered(MiningOptions.builder().relativeMargin(0.05f), List.of(0.8f)));
  }

  @Test
  void absoluteMarginDropsScoresAbovePositiveMinusMargin() {
    // threshold 0.80 − 0.02 = 0.78
    assertEquals(List.of("n77", "n75", "n70", "n50"),
        filtered(MiningOptions.builder().absoluteMargin(0.02f), List.of(0.8f)));
  }

  @Test
  void maxAndMinScore() {
    assertEquals(List.of("n77", "n75", "n70"),
        filtered(MiningOptions.builder().maxScore(0.78f).minScore(0.6f), null));
  }

  @Test
  void marginsUseTheLowestPositiveAndIgnoreUnknownScores() {
    MiningOptions.Builder b = MiningOptions.builder().relativeMargin(0.05f);
    assertEquals(List.of("n75", "n70", "n50"), filtered(b, java.util.Arrays.asList(0.95f, Float.NaN, 0.8f)));
    assertEquals(6, filtered(MiningOptions.builder().relativeMargin(0.05f), null).size(), "no positive score: no filter");
  }

  @Test
  void countsEachCandidateUnderItsFirstRule() {
    MiningOptions o = MiningOptions.builder().range(0, 6).negativeNumber(6).maxScore(0.8f).relativeMargin(0.05f)
        .build();
    MinedNegatives m = mine(o, record("q", "p"), SCORED, List.of(0.8f), corpus(0));
    assertEquals(1, m.filteredBy(FilterRule.MAX_SCORE));
    assertEquals(2, m.filteredBy(FilterRule.RELATIVE_MARGIN));
    assertFalse(m.candidateAbovePositive());
    MinedNegatives unfiltered = mine(MiningOptions.builder().range(0, 6).build(), record("q", "p"), SCORED, List.of(0.8f), corpus(0));
    assertTrue(unfiltered.candidateAbovePositive());
  }

  @Test
  void randomIsAUniformSampleInRandomOrderAndTopIsRankOrder() {
    MiningOptions random = MiningOptions.builder().range(0, 20).negativeNumber(5).build();
    NegativeSampler sampler = new NegativeSampler(random);
    int[] picks = new int[20];
    boolean sawUnsorted = false;
    for (int i = 0; i < 4000; i++) {
      MinedNegatives m = sampler.sample(i, record("q", "x"), ranked(20), null, corpus(0));
      assertEquals(5, new HashSet<>(m.ranks()).size());
      m.ranks().forEach(r -> picks[r]++);
      List<Integer> sorted = new ArrayList<>(m.ranks());
      Collections.sort(sorted);
      sawUnsorted |= !sorted.equals(m.ranks());
    }
    assertTrue(sawUnsorted, "random.sample order is random");
    for (int p : picks) {
      assertEquals(1000, p, 120, "each of 20 candidates is picked 5/20 of the time");
    }
    MiningOptions top = MiningOptions.builder().range(0, 20).negativeNumber(5).samplingStrategy(SamplingStrategy.TOP)
        .build();
    assertEquals(List.of(0, 1, 2, 3, 4), mine(top, record("q", "x"), ranked(20), null, corpus(0)).ranks());
  }

  @Test
  void topUpNeverRepeatsNorPicksAPositiveTheQueryOrARejectedText() {
    MiningOptions o = MiningOptions.builder().range(2, 10).negativeNumber(10).maxScore(0.8945f)
        .samplingStrategy(SamplingStrategy.TOP).build();
    // hits p0..p7: p0,p1 skipped by the range; p2..p5 above max_score; p6, p7 kept
    List<String> pool = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      pool.add("p" + i);
    }
    pool.addAll(List.of("q", "pos", "c1", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9", "c10"));
    for (int seed = 0; seed < 50; seed++) {
      MinedNegatives m = new NegativeSampler(o).sample(seed, record("q", "pos"), ranked(8), null, TopUpPool.of(pool));
      assertEquals(List.of("p6", "p7"), m.neg().subList(0, 2));
      assertEquals(8, m.topUpCount());
      assertEquals(10, new HashSet<>(m.neg()).size());
      for (String t : m.topUps()) {
        assertTrue(t.startsWith("c"), t);
      }
      assertTrue(m.negScores().subList(2, 10).stream().allMatch(s -> s.isNaN()));
      assertEquals(0, m.shortfall());
    }
  }

  @Test
  void tinyCorpusEndsInAShortfallNotACrash() {
    TopUpPool pool = TopUpPool.of(List.of("q", "pos", "a", "b", "a"));
    MinedNegatives m = mine(DEFAULTS, record("q", "pos"), List.of(), null, pool);
    assertEquals(Set.of("a", "b"), new HashSet<>(m.neg()));
    assertEquals(2, m.neg().size());
    assertEquals(13, m.shortfall());
    assertEquals(0, m.candidatesSeen());
    MinedNegatives none = mine(DEFAULTS, record("q", "pos"), List.of(), null, TopUpPool.empty());
    assertEquals(15, none.shortfall());
  }

  @Test
  void sameSeedSameOutputDifferentSeedDifferentOutput() {
    TopUpPool pool = corpus(1000);
    MiningOptions a = MiningOptions.builder().seed(7).build();
    MiningOptions b = MiningOptions.builder().seed(8).build();
    List<Candidate> h = ranked(60);
    MinedNegatives first = new NegativeSampler(a).sample(3, record("q", "x"), h, null, pool);
    assertEquals(first, new NegativeSampler(a).sample(3, record("q", "x"), h, null, pool));
    assertNotEquals(first.neg(), new NegativeSampler(b).sample(3, record("q", "x"), h, null, pool).neg());
    assertNotEquals(first.neg(), new NegativeSampler(a).sample(4, record("q", "x"), h, null, pool).neg());
    // range 10-20 gives 10 candidates for 15 negatives: the 5 top-ups are seeded as well
    MiningOptions shortA = MiningOptions.builder().seed(7).range(10, 20).build();
    MinedNegatives s1 = new NegativeSampler(shortA).sample(3, record("q", "x"), h, null, pool);
    assertEquals(s1, new NegativeSampler(shortA).sample(3, record("q", "x"), h, null, pool));
    assertEquals(5, s1.topUpCount());
  }

  @Test
  void resultsDoNotDependOnProcessingOrder() {
    NegativeSampler sampler = new NegativeSampler(MiningOptions.builder().range(5, 40).build());
    TopUpPool pool = corpus(300);
    Map<Integer, MinedNegatives> inOrder = new HashMap<>();
    for (int i = 0; i < 50; i++) {
      inOrder.put(i, sampler.sample(i, record("q" + i, "x"), ranked(10 + i), null, pool));
    }
    List<Integer> order = new ArrayList<>(inOrder.keySet());
    Collections.shuffle(order, new Random(1));
    NegativeSampler fresh = new NegativeSampler(MiningOptions.builder().range(5, 40).build());
    for (int i : order) {
      assertEquals(inOrder.get(i), fresh.sample(i, record("q" + i, "x"), ranked(10 + i), null, pool), "record " + i);
    }
  }

  @Test
  void applyToReplacesNegAndHandlesScores() {
    MiningOptions o = MiningOptions.builder().range(0, 2).negativeNumber(3).samplingStrategy(SamplingStrategy.TOP)
        .build();
    TrainRecord r = record("q", "pos");
    MinedNegatives m = mine(o, r, hits("a", 0.5, "b", 0.25), List.of(0.75f), TopUpPool.of(List.of("c")));
    assertEquals(List.of("a", "b", "c"), m.applyTo(r, List.of(0.75f), false).neg());
    assertThrows(IllegalStateException.class, () -> m.applyTo(r, List.of(0.75f), true));
    TrainRecord scored = m.withTopUpScores(List.of(0.125f)).applyTo(r, List.of(0.75f), true);
    assertEquals(List.of(0.5f, 0.25f, 0.125f), scored.negScores());
    assertEquals(List.of(0.75f), scored.posScores());
    assertEquals(null, scored.withNeg(List.of()).withoutScores().negScores());
  }

  @Test
  void optionsValidateTheRange() {
    assertEquals(10, MiningOptions.builder().range("10-210").build().rangeStart());
    assertEquals(210, MiningOptions.builder().range(" 10 - 210 ").build().topK());
    assertThrows(IllegalArgumentException.class, () -> MiningOptions.builder().range("210-10").build());
    assertThrows(IllegalArgumentException.class, () -> MiningOptions.builder().range("5-5").build());
    assertThrows(IllegalArgumentException.class, () -> MiningOptions.builder().range("-1-5").build());
    assertThrows(IllegalArgumentException.class, () -> MiningOptions.builder().range("10").build());
    assertThrows(IllegalArgumentException.class, () -> MiningOptions.builder().relativeMargin(1f).build());
  }
}
