package io.m3spark.train.data;

import io.m3spark.text.InstructionFormat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m3spark.io.ParsedLine;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GroupSamplerTest {
  private static final ParsedLine.Good TWO_NEG = Records.line("a.jsonl", 7,
      "{\"query\":\"q\",\"pos\":[\"p0\",\"p1\"],\"neg\":[\"n0\",\"n1\"],\"pos_scores\":[10,11],\"neg_scores\":[0,1]}");

  @Test
  void repeatThenSampleWhenTooFewNegatives() {
    GroupSampler sampler = new GroupSampler(SamplingOptions.defaults());
    for (long seed = 0; seed < 200; seed++) {
      TrainGroup g = sampler.sample(TWO_NEG, new SplittableRandom(seed));
      assertEquals(8, g.groupSize());
      Map<String, Integer> counts = new HashMap<>();
      g.passages().subList(1, 8).forEach(p -> counts.merge(p, 1, Integer::sum));
      // ceil(7/2) = 4 copies of each index: 7 drawn from 8 means one appears 4 times, the other 3
      assertEquals(List.of(3, 4), counts.values().stream().sorted().toList());
      assertTrue(g.passages().get(0).startsWith("p"));
    }
  }

  @Test
  void distinctNegativesWhenEnough() {
    ParsedLine.Good r = Records.line("{\"query\":\"q\",\"pos\":[\"p\"],\"neg\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}");
    GroupSampler sampler = new GroupSampler(SamplingOptions.defaults().withGroupSize(4));
    for (long seed = 0; seed < 100; seed++) {
      List<String> negs = sampler.sample(r, new SplittableRandom(seed)).passages().subList(1, 4);
      assertEquals(3, new HashSet<>(negs).size());
    }
  }

  @Test
  void teacherScoresFollowTheSampledPassages() {
    GroupSampler sampler = new GroupSampler(SamplingOptions.defaults().withKnowledgeDistillation(true));
    for (long seed = 0; seed < 50; seed++) {
      TrainGroup g = sampler.sample(TWO_NEG, new SplittableRandom(seed));
      for (int i = 0; i < g.groupSize(); i++) {
        String p = g.passages().get(i);
        float want = p.startsWith("p") ? 10 + (p.charAt(1) - '0') : p.charAt(1) - '0';
        assertEquals(want, g.teacherScores()[i], p);
      }
    }
    assertNull(new GroupSampler(SamplingOptions.defaults()).sample(TWO_NEG, new SplittableRandom(1)).teacherScores());
  }

  @Test
  void sameSeedSameGroup() {
    GroupSampler sampler = new GroupSampler(SamplingOptions.defaults().withKnowledgeDistillation(true));
    TrainGroup a = sampler.sample(TWO_NEG, GroupSampler.randomFor(42, 3, 9));
    TrainGroup b = sampler.sample(TWO_NEG, GroupSampler.randomFor(42, 3, 9));
    assertEquals(a.passages(), b.passages());
    assertArrayEquals(a.teacherScores(), b.teacherScores());
  }

  @Test
  void queryInstructionRules() {
    ParsedLine.Good withPrompt = Records.line("{\"query\":\"q\",\"pos\":[\"p\"],\"neg\":[\"n\"],\"prompt\":\"P: \"}");
    ParsedLine.Good bare = Records.line("{\"query\":\"q\",\"pos\":[\"p\"],\"neg\":[\"n\"]}");
    SamplingOptions normal = SamplingOptions.defaults().withGroupSize(2);
    SplittableRandom rnd = new SplittableRandom(0);
    // normal mode: the record's prompt is ignored unless a global instruction is set
    assertEquals("q", new GroupSampler(normal).sample(withPrompt, rnd).query());
    assertEquals("P: q", new GroupSampler(normal.withQueryInstruction("G: ")).sample(withPrompt, rnd).query());
    assertEquals("G: q", new GroupSampler(normal.withQueryInstruction("G: ")).sample(bare, rnd).query());
    // same-dataset mode: always formatted, prompt first — and no "None" prefix when neither exists
    SamplingOptions same = normal.withSameDatasetWithinBatch(true);
    assertEquals("P: q", new GroupSampler(same).sample(withPrompt, rnd).query());
    assertEquals("q", new GroupSampler(same).sample(bare, rnd).query());
    // the passage instruction goes on every passage
    TrainGroup g = new GroupSampler(normal.withPassageInstruction("D: ")).sample(bare, rnd);
    assertEquals(List.of("D: p", "D: n"), g.passages());
  }

  @Test
  void instructionFormatPlaceholders() {
    assertEquals("<i>x</i> q", InstructionFormat.parse("<i>{}</i> {}").apply("x", "q"));
    // Python's str.format semantics, which FlagEmbedding's flags follow: explicit indices work, a bad field does not.
    assertEquals("q|x", InstructionFormat.parse("{1}|{0}").apply("x", "q"));
    assertThrows(IllegalArgumentException.class, () -> InstructionFormat.parse("{query}{}"));
  }

  @Test
  void shuffleRatioZeroAndOne() {
    String text = "a".repeat(40) + "b".repeat(40) + "c".repeat(40); // 120 chars: chunks of 41, 41, 38
    ParsedLine.Good r = Records.line("{\"query\":\"q\",\"pos\":[\"" + text + "\"],\"neg\":[\"n\"]}");
    SamplingOptions o = SamplingOptions.defaults().withGroupSize(2);
    assertEquals(text, new GroupSampler(o).sample(r, new SplittableRandom(5)).passages().get(0));
    String chunk0 = text.substring(0, 41);
    String chunk1 = text.substring(41, 82);
    String chunk2 = text.substring(82);
    boolean sawReorder = false;
    for (long seed = 0; seed < 20; seed++) {
      String got = new GroupSampler(o.withShuffleRatio(1)).sample(r, new SplittableRandom(seed)).passages().get(0);
      assertEquals(text.length() + 2, got.length());
      List<String> parts = List.of(got.split(" "));
      assertEquals(new HashSet<>(List.of(chunk0, chunk1, chunk2)), new HashSet<>(parts));
      sawReorder |= !got.equals(chunk0 + " " + chunk1 + " " + chunk2);
    }
    assertTrue(sawReorder);
    // 100 characters or fewer: never cut
    ParsedLine.Good shortPos = Records.line("{\"query\":\"q\",\"pos\":[\"" + "x".repeat(100) + "\"],\"neg\":[\"n\"]}");
    assertEquals("x".repeat(100),
        new GroupSampler(o.withShuffleRatio(1)).sample(shortPos, new SplittableRandom(1)).passages().get(0));
  }

  @Test
  void badRecordsNameFileAndLine() {
    ParsedLine.Good noNeg = Records.line("data/x.jsonl", 12, "{\"query\":\"q\",\"pos\":[\"p\"],\"neg\":[]}");
    TrainDataException e = assertThrows(TrainDataException.class,
        () -> new GroupSampler(SamplingOptions.defaults()).sample(noNeg, new SplittableRandom(0)));
    assertTrue(e.getMessage().startsWith("data/x.jsonl:12: neg"), e.getMessage());

    ParsedLine.Good noScores = Records.line("data/y.jsonl", 3, "{\"query\":\"q\",\"pos\":[\"p\"],\"neg\":[\"n\"]}");
    SamplingOptions kd = SamplingOptions.defaults().withKnowledgeDistillation(true);
    e = assertThrows(TrainDataException.class, () -> new GroupSampler(kd).sample(noScores, new SplittableRandom(0)));
    assertTrue(e.getMessage().startsWith("data/y.jsonl:3: pos_scores"), e.getMessage());
    // same-dataset mode tolerates a file without scores (§4.4): no teacher for it
    assertNull(new GroupSampler(kd.withSameDatasetWithinBatch(true)).sample(noScores, new SplittableRandom(0))
        .teacherScores());
  }

  @Test
  void groupSizeOneNeedsNoNegatives() {
    ParsedLine.Good noNeg = Records.line("{\"query\":\"q\",\"pos\":[\"p\"]}");
    TrainGroup g = new GroupSampler(SamplingOptions.defaults().withGroupSize(1)).sample(noNeg, new SplittableRandom(0));
    assertEquals(List.of("p"), g.passages());
    assertEquals("q", g.query());
  }
}
