package io.m3spark.train.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.m3spark.io.ParsedLine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every kind of bad input is caught at load with file:line and field; lenient loading skips, counts and quarantines. */
class TrainDataValidationTest {
  private static final String GOOD = "{\"query\":\"q\",\"pos\":[\"p\"],\"neg\":[\"n1\",\"n2\"]}";
  private static final String SCORED =
      "{\"query\":\"q\",\"pos\":[\"p\"],\"neg\":[\"n1\",\"n2\"],\"pos_scores\":[1.5],\"neg_scores\":[0.5,-1]}";
  private static final String MINE_FIRST = "groups have negatives, so every record needs at least one (FlagEmbedding "
      + "divides by zero) — mine hard negatives first";
  private static final String SCORE_FIRST =
      "knowledge distillation needs teacher scores — score the data with a reranker first";
  private static final DataLoadOptions STRICT = DataLoadOptions.defaults();
  private static final DataLoadOptions KD = STRICT.withKnowledgeDistillation(true);

  @TempDir
  Path dir;

  /** Line 3 (after a good line and a blank one) is {@code bad}: the load fails with exactly {@code message}. */
  private void assertStrict(DataLoadOptions options, String bad, String message) throws IOException {
    Path f = write("d.jsonl", GOOD.replace("}", options.knowledgeDistillation() ? SCORED.substring(GOOD.length() - 1)
        : "}") + "\n\n" + bad + "\n");
    TrainDataException e = assertThrows(TrainDataException.class,
        () -> new TrainDataLoader(options).load(List.of(f), 2));
    assertEquals(f + ":3: " + message, e.getMessage());
  }

  @Test
  void strictModeNamesFileLineFieldAndReasonForEachKind() throws IOException {
    assertStrict(STRICT, "{\"query\":\"q\",\"pos\":[\"p\"]}", "neg: missing; " + MINE_FIRST);
    assertStrict(STRICT, "{\"query\":\"q\",\"pos\":[\"p\"],\"neg\":[]}", "neg: empty; " + MINE_FIRST);
    assertStrict(STRICT, "{\"query\":\"q\",\"pos\":\"p\",\"neg\":[\"n\"]}", "pos: pos must be a list of strings, got "
        + "a string — FlagEmbedding would split it into characters (#1194)");
    assertStrict(STRICT, "{\"query\":7,\"pos\":[\"p\"],\"neg\":[\"n\"]}", "query: must be a string, got a number");
    assertStrict(STRICT, "{\"query\":\"q\",\"pos\":[\"p\"],\"neg\":[\"n\",{}]}",
        "neg: item 1 must be a string, got an object");
    assertStrict(STRICT, "[\"q\"]", "(line): a training record must be a JSON object, got a list");
    assertStrict(KD, GOOD, "pos_scores: missing; " + SCORE_FIRST);
    assertStrict(KD, GOOD.replace("}", ",\"pos_scores\":[1]}"), "neg_scores: missing; " + SCORE_FIRST);
    assertStrict(KD, SCORED.replace("[1.5]", "[\"0.5\"]"), "pos_scores: item 0 must be a number, got a string");
    assertStrict(KD, SCORED.replace("[1.5]", "[true]"), "pos_scores: item 0 must be a number, got a boolean");
    assertStrict(KD, SCORED.replace("-1]", "NaN]"), "neg_scores: item 1 must be a finite number (32-bit float), got NaN");
    assertStrict(KD, SCORED.replace("[1.5]", "[-Infinity]"),
        "pos_scores: item 0 must be a finite number (32-bit float), got -Infinity");
    assertStrict(KD, SCORED.replace("[1.5]", "[1e39]"),
        "pos_scores: item 0 must be a finite number (32-bit float), got 1.0E39");
    assertStrict(KD, SCORED.replace("[0.5,-1]", "[0.5]"),
        "neg_scores: has 1 values but neg has 2 texts (must align 1:1)");
    assertStrict(KD, SCORED.replace("[1.5]", "1.5"), "pos_scores: must be a list of numbers, got a number");
  }

  @Test
  void malformedLinesAreReportedAsSuch() throws IOException {
    for (String bad : List.of("{\"query\":\"q\",", GOOD + GOOD, GOOD + " x", "{'query':'q'}")) {
      Path f = write("m.jsonl", GOOD + "\n" + bad + "\n");
      TrainDataException e = assertThrows(TrainDataException.class,
          () -> new TrainDataLoader(STRICT).load(List.of(f), 2), bad);
      assertTrue(e.getMessage().startsWith(f + ":2: (line): malformed JSON: "), e.getMessage());
    }
    Path latin1 = dir.resolve("l.jsonl");
    Files.write(latin1, ("{\"query\":\"caf\u00e9\",\"pos\":[\"p\"],\"neg\":[\"n\"]}\n").getBytes(StandardCharsets.ISO_8859_1));
    assertEquals(latin1 + ":1: (line): not valid UTF-8 text", assertThrows(TrainDataException.class,
        () -> new TrainDataLoader(STRICT).load(List.of(latin1), 2)).getMessage());
  }

  @Test
  void whatIsNotNeededIsNotRequired() throws IOException {
    // G = 1 needs no negatives; without distillation scores are neither needed nor checked (FlagEmbedding drops them)
    Path f = write("ok.jsonl", "{\"query\":\"q\",\"pos\":[\"p\"]}\n{\"query\":\"q\",\"pos\":[\"p\"],\"neg\":[],"
        + "\"pos_scores\":[\"x\"]}\n");
    assertEquals(2, new TrainDataLoader(STRICT.withGroupSize(1)).load(List.of(f), 2).datasets().get(0).spec().size());
    Path g = write("ok2.jsonl", GOOD.replace("}", ",\"pos_scores\":[\"x\"],\"neg_scores\":null}") + "\n");
    assertEquals(1, new TrainDataLoader(STRICT).load(List.of(g), 2).datasets().get(0).records().size());
  }

  @Test
  void lenientModeSkipsCountsAndQuarantines() throws IOException {
    Path q = dir.resolve("quarantine");
    Path a = write("a.jsonl", String.join("\n", rec("a1"), "{\"query\":\"a2\",\"pos\":[\"p\"],\"neg\":[]}", "",
        "{broken", rec("a5"), "{\"query\":\"a6\",\"pos\":[\"p\"],\"neg\":[\"n\",3]}", rec("a7")) + "\n");
    Path b = write("b.jsonl", String.join("\n", "{\"query\":\"b1\",\"pos\":[\"p\"]}", rec("b2"),
        "{\"query\":\"b3\",\"pos\":[\"p\"],\"neg\":[1,\"n\"]}") + "\n");
    DataLoadOptions lenient = STRICT.withSkipBadRecords(q);
    TrainData data = new TrainDataLoader(lenient).load(List.of(b, a), 2);

    TrainDataset all = data.datasets().get(0);
    assertEquals(List.of("a1", "a5", "a7", "b2"), all.records().stream().map(r -> r.record().query()).toList());
    assertEquals(List.of(1L, 5L, 7L, 2L), all.records().stream().map(ParsedLine::line).toList());
    BadRecordSummary s = data.skipped();
    assertEquals(5, s.total());
    assertEquals(Map.of("(line): malformed JSON", 1L, "neg: empty", 1L, "neg: missing", 1L, "neg: item N must be a string, got a number", 2L), s.byReason());
    assertEquals(Map.of(a.toString(), 3L, b.toString(), 2L), s.byFile());

    List<String> lines = Files.readAllLines(q.resolve(DataLoadOptions.QUARANTINE_FILE));
    assertEquals(5, lines.size());
    JsonNode first = new ObjectMapper().readTree(lines.get(0));
    assertEquals(a.toString(), first.get("file").asText());
    assertEquals(2, first.get("line").asInt());
    assertEquals("neg", first.get("field").asText());
    assertEquals("empty; " + MINE_FIRST, first.get("reason").asText());
    assertEquals("{\"query\":\"a2\",\"pos\":[\"p\"],\"neg\":[]}", first.get("raw").asText());
    List<String> where = new ArrayList<>();
    for (String l : lines) {
      JsonNode n = new ObjectMapper().readTree(l);
      where.add(Path.of(n.get("file").asText()).getFileName() + ":" + n.get("line").asInt() + ":" + n.get("field").asText());
    }
    assertEquals(List.of("a.jsonl:2:neg", "a.jsonl:4:(line)", "a.jsonl:6:neg", "b.jsonl:1:neg", "b.jsonl:3:neg"), where);

    // every rank numbers the survivors alike: a second load (another rank) gives the same records in the same order
    TrainData again = new TrainDataLoader(STRICT.withSkipBadRecords(null)).load(List.of(a, b), 2);
    assertEquals(all.records(), again.datasets().get(0).records());
    assertEquals(s, again.skipped());
  }

  @Test
  void nothingLeftIsAnError() throws IOException {
    Path f = write("x.jsonl", "{\"query\":\"q\",\"pos\":[\"p\"]}\n");
    TrainDataException e = assertThrows(TrainDataException.class,
        () -> new TrainDataLoader(STRICT.withSkipBadRecords(null)).load(List.of(f), 2));
    assertTrue(e.getMessage().startsWith("no training records in [" + f + "] (skipped 1 bad"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new DataLoadOptions(8, false, false, 0, 0, false, dir, null));
  }

  @Test
  void sameDatasetModeDecidesNegativesAndTeacherPerFile() throws IOException {
    Path folder = Files.createDirectory(dir.resolve("sets"));
    // its own train_group_size of 1: no negatives needed
    write("sets/g1.jsonl", "{\"query\":\"q\",\"pos\":[\"p\"],\"train_group_size\":1}\n{\"query\":\"r\",\"pos\":[\"p\"]}\n");
    // no scores in the first record: the file trains without teacher, and a later record's scores are dropped
    write("sets/plain.jsonl", GOOD + "\n" + SCORED + "\n");
    write("sets/scored.jsonl", SCORED + "\n" + SCORED + "\n");
    DataLoadOptions same = KD.withSameDataset(0, 0);
    List<TrainDataset> sets = new TrainDataLoader(same).load(List.of(folder), 2).datasets();
    assertEquals(List.of(1, 8, 8), sets.stream().map(d -> d.spec().groupSize()).toList());

    GroupSampler sampler = new GroupSampler(SamplingOptions.defaults().withKnowledgeDistillation(true)
        .withSameDatasetWithinBatch(true));
    for (ParsedLine.Good r : sets.get(1).records()) {
      assertNull(r.record().posScores());
      assertNull(sampler.sample(r, 8, new SplittableRandom(1)).teacherScores());
    }
    for (ParsedLine.Good r : sets.get(2).records()) {
      assertNotNull(sampler.sample(r, 8, new SplittableRandom(1)).teacherScores());
    }

    // a distilled file needs scores on every record; a file at the default G needs negatives
    write("sets/scored.jsonl", SCORED + "\n" + GOOD + "\n");
    assertEquals(folder.resolve("scored.jsonl") + ":2: pos_scores: missing; " + SCORE_FIRST,
        assertThrows(TrainDataException.class, () -> new TrainDataLoader(same).load(List.of(folder), 2)).getMessage());
    write("sets/scored.jsonl", SCORED + "\n");
    write("sets/plain.jsonl", GOOD + "\n{\"query\":\"r\",\"pos\":[\"p\"]}\n");
    assertEquals(folder.resolve("plain.jsonl") + ":2: neg: missing; " + MINE_FIRST,
        assertThrows(TrainDataException.class, () -> new TrainDataLoader(same).load(List.of(folder), 2)).getMessage());
  }

  @Test
  void hiddenFilesAndSubFoldersOfADataFolderAreSkippedAndRepeatedKeysAreBad() throws IOException {
    Path folder = Files.createDirectory(dir.resolve("listed"));
    write("listed/a.jsonl", GOOD + "\n");
    write("listed/.a.jsonl", "an editor's swap file\n");
    Files.write(folder.resolve("._a.jsonl"), new byte[] {0, 5, 22, 7, (byte) 0xFF}); // a macOS resource fork
    Files.createDirectory(folder.resolve("sub.jsonl"));
    write("listed/sub.jsonl/b.jsonl", GOOD + "\n" + GOOD + "\n");
    List<TrainDataset> sets = new TrainDataLoader(STRICT).load(List.of(folder), 2).datasets();
    assertEquals(1, sets.stream().mapToInt(d -> d.records().size()).sum());

    write("listed/a.jsonl", GOOD + "\n" + GOOD.replace("}", ",\"query\":\"other\"}") + "\n");
    TrainDataException e = assertThrows(TrainDataException.class,
        () -> new TrainDataLoader(STRICT).load(List.of(folder), 2));
    assertTrue(e.getMessage().startsWith(folder.resolve("a.jsonl") + ":2: (line): malformed JSON: Duplicate field"),
        e.getMessage());
  }

  @Test
  void poolMixingTeacherAndNoTeacherTrainsWithout() throws IOException {
    Path folder = Files.createDirectory(dir.resolve("pool"));
    write("pool/a.jsonl", SCORED + "\n");
    write("pool/b.jsonl", GOOD + "\n");
    List<TrainDataset> sets = new TrainDataLoader(KD.withSameDataset(5, 0)).load(List.of(folder), 2).datasets();
    assertEquals(1, sets.size());
    assertEquals(2, sets.get(0).records().size());
    sets.get(0).records().forEach(r -> assertNull(r.record().posScores()));
  }

  private static String rec(String query) {
    return GOOD.replace("\"q\"", "\"" + query + "\"");
  }

  private Path write(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
  }
}
