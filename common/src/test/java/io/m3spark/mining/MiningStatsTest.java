package io.m3spark.mining;

import static io.m3spark.mining.MiningFixtures.corpus;
import static io.m3spark.mining.MiningFixtures.ranked;
import static io.m3spark.mining.MiningFixtures.record;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MiningStatsTest {
  private static final MiningOptions OPTIONS = MiningOptions.builder().range(5, 40).relativeMargin(0.01f).build();

  /** Record i has 5 + i hits and a positive at rank 0 scoring 0.89: the margin (0.8811) drops ranks 5..18. */
  private static MiningStats mine(int from, int to) {
    NegativeSampler sampler = new NegativeSampler(OPTIONS);
    MiningStats stats = new MiningStats();
    for (int i = from; i < to; i++) {
      List<Float> pos = List.of(0.89f);
      stats.record(sampler.sample(i, record("q" + i, "p0"), ranked(5 + i), pos, corpus(100)), pos);
    }
    return stats;
  }

  @Test
  void mergeEqualsTheStatsOfTheUnion() throws Exception {
    MiningStats whole = mine(0, 60);
    MiningStats merged = mine(0, 17).merge(roundTrip(mine(17, 42))).merge(mine(42, 60));
    assertEquals(MiningReport.json(whole, OPTIONS), MiningReport.json(merged, OPTIONS));
    assertEquals(60, merged.queries());
    assertEquals(60, merged.queriesWithPositiveInResults());
  }

  @Test
  void countsWhatTheSamplerDid() {
    MiningStats s = mine(0, 60);
    // record i sees positions 5..min(40, 5+i): min(i, 35) candidates
    long seen = 0;
    long dropped = 0;
    for (int i = 0; i < 60; i++) {
      seen += Math.min(i, 35);
      dropped += Math.min(i, 14);
    }
    assertEquals(seen, s.candidatesSeen());
    assertEquals(dropped, s.filtered(FilterRule.RELATIVE_MARGIN));
    assertEquals(60 * 15, s.minedNegatives() + s.topUps() + s.totalShortfall());
    assertEquals(0, s.queriesShort());
    assertEquals(60, s.positiveScores().count());
    assertEquals(0.89, s.positiveScores().quantile(0.5), 0.001);
    assertTrue(s.negativeRanks().min() >= 19 && s.negativeRanks().max() < 40);
    assertEquals(0, s.queriesWithCandidateAbovePositive());
  }

  @Test
  void histogramQuantilesAndMerge() {
    FixedBinHistogram a = new FixedBinHistogram(0, 100, 100);
    FixedBinHistogram b = new FixedBinHistogram(0, 100, 100);
    for (int v = 0; v < 100; v++) {
      (v % 2 == 0 ? a : b).add(v);
    }
    b.add(Double.NaN);
    b.add(250);
    a.merge(b);
    assertEquals(101, a.count());
    assertEquals(50.5, a.quantile(0.5), 1e-9);
    assertEquals(250, a.quantile(1), 1e-9);
    assertEquals(0, a.min(), 1e-9);
    assertEquals((4950 + 250) / 101.0, a.mean(), 1e-9);
    assertTrue(Double.isNaN(new FixedBinHistogram(0, 1, 10).quantile(0.5)));
  }

  @Test
  void reportFilesHoldTheTableAndWarnings(@TempDir Path dir) throws Exception {
    MiningOptions plain = MiningOptions.builder().range(5, 40).build();
    NegativeSampler sampler = new NegativeSampler(plain);
    MiningStats stats = new MiningStats();
    for (int i = 0; i < 10; i++) {
      // positive at rank 30 scoring below most candidates; only 8 hits for half the records; a 3-text corpus
      List<Float> pos = List.of(0.87f);
      stats.record(sampler.sample(i, record("q", "p30"), ranked(i < 5 ? 8 : 40), pos,
          TopUpPool.of(List.of("x", "y", "z"))), pos);
    }
    Path out = dir.resolve("mined.jsonl");
    MiningReport.write(out, stats, plain);
    String md = Files.readString(dir.resolve("mined.jsonl.report.md"));
    String json = Files.readString(dir.resolve("mined.jsonl.report.json"));
    assertTrue(md.contains("| queries | 10 (100%) |"), md);
    assertTrue(md.contains("| is a positive | 5 | 3% |"), md);
    assertTrue(md.contains("| chosen negative rank | 90 |"), md);
    assertTrue(md.contains("50% of queries found fewer than 15 negatives in range 5-40 (15 random top-ups added)"
        + " — widen --range_for_sampling"), md);
    assertTrue(md.contains("5 queries still lack negatives after the top-up (45 missing in all)"), md);
    assertTrue(md.contains("the positive of 50% of queries is not in their top 40 hits"), md);
    assertTrue(md.contains("false negatives likely, consider --relative_margin 0.05"), md);
    assertTrue(json.contains("\"queries_short\" : 5"), json);
    assertTrue(json.contains("\"relative_margin\" : null"), json);
    assertTrue(json.contains("\"is_positive\" : 5"), json);
  }

  private static MiningStats roundTrip(MiningStats s) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(s);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return (MiningStats) in.readObject();
    }
  }
}
