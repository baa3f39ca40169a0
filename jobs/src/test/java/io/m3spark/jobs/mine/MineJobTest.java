package io.m3spark.jobs.mine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.m3spark.cli.ArgParser;
import io.m3spark.model.EncodeOptions;
import io.m3spark.model.LoadOptions;
import io.m3spark.model.M3Model;
import io.m3spark.model.Pooling;
import io.m3spark.jobs.spark.SparkSessions;
import io.m3spark.jobs.TinyM3;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mine job end to end: local Spark, the tiny-m3 model, files. */
class MineJobTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_LENGTH = 32;
  private static SparkSession spark;
  private static M3Model model;
  private static Path modelFolder;

  @TempDir
  Path dir;

  @BeforeAll
  static void start() throws IOException {
    modelFolder = TinyM3.folder();
    spark = SparkSessions.local("MineJobTest", 2);
    model = M3Model.load(modelFolder, LoadOptions.defaults());
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
    if (model != null) {
      model.close();
    }
  }

  // ---- fixtures ----

  private static final List<String> PASSAGES = List.of(
      "The tax office issues business registration certificates.",
      "Visa applications are handled by the immigration office.",
      "Open a bank account with your passport and address.",
      "Health insurance covers hospital visits for residents.",
      "School enrolment starts in March for primary pupils.",
      "Lost certificates can be reissued online through the tax portal.",
      "Foreign residents must register their address within 14 days.",
      "A work visa requires a contract from a local employer.",
      "Bank transfers abroad need the recipient's SWIFT code.",
      "Vaccinations are free for children under twelve.",
      "University tuition can be paid in two instalments.",
      "Tax returns are due at the end of May.");

  /** Three records over the twelve passages; every one keeps extra fields and stale scores. */
  private Path writeInput() throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add(record("how do I get a new business certificate?", List.of(PASSAGES.get(5)), List.of(PASSAGES.get(0),
        PASSAGES.get(11)), "tax"));
    lines.add(record("what do I need for a work visa?", List.of(PASSAGES.get(7), PASSAGES.get(1)),
        List.of(PASSAGES.get(6)), "visa"));
    lines.add(record("사업자등록증 재발급", List.of(PASSAGES.get(2)), List.of(PASSAGES.get(3), PASSAGES.get(4),
        PASSAGES.get(8), PASSAGES.get(9), PASSAGES.get(10)), "bank"));
    Path input = dir.resolve("train.jsonl");
    Files.write(input, lines);
    return input;
  }

  private static String record(String query, List<String> pos, List<String> neg, String tag) throws IOException {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("query", query);
    r.put("pos", pos);
    r.put("neg", neg);
    r.put("pos_scores", pos.stream().map(p -> 0.9).toList());
    r.put("neg_scores", neg.stream().map(n -> 0.1).toList());
    r.put("prompt", "Represent this: ");
    r.put("tag", tag);
    return JSON.writeValueAsString(r);
  }

  private MineArgs args(Path input, Path output, String... extra) throws Exception {
    List<String> all = new ArrayList<>(List.of("--model_name_or_path", modelFolder.toString(), "--input_file",
        input.toString(), "--output_file", output.toString(), "--embedder_query_max_length", String.valueOf(MAX_LENGTH),
        "--embedder_passage_max_length", String.valueOf(MAX_LENGTH)));
    all.addAll(List.of(extra));
    return ArgParser.parse(MineArgs.class, all.toArray(String[]::new));
  }

  private static List<JsonNode> readLines(Path file) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      out.add(JSON.readTree(line));
    }
    return out;
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static float[] dense(String text) {
    EncodeOptions o = EncodeOptions.builder().maxLength(MAX_LENGTH).returnDense(true).returnSparse(false)
        .returnColbert(false).pooling(Pooling.CLS).normalize(true).build();
    return model.encode(List.of(text), o).get(0).dense();
  }

  private static float dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return (float) s;
  }

  /** The corpus (distinct pos ∪ neg of the input) ranked for a query, computed here with the model directly. */
  private static List<String> ranking(String query, List<String> corpus) {
    float[] q = dense(query);
    List<String> ranked = new ArrayList<>(corpus);
    Map<String, Float> scores = new LinkedHashMap<>();
    corpus.forEach(t -> scores.put(t, dot(q, dense(t))));
    ranked.sort(Comparator.comparing((String t) -> -scores.get(t)));
    return ranked;
  }

  // ---- tests ----

  /** Range 0-5, top strategy: the negatives are the first survivors of the top-5 slice, hand-checkable. */
  @Test
  void topStrategyTakesTheFirstSurvivorsOfTheSliceAndKeepsEveryField() throws Exception {
    Path input = writeInput();
    Path output = dir.resolve("mined.jsonl");
    MineResult result = MineJob.run(spark, args(input, output, "--range_for_sampling", "0-5", "--negative_number",
        "3", "--sampling_strategy", "top"));
    assertEquals(3, result.records());
    assertEquals(PASSAGES.size(), result.corpusSize());
    List<JsonNode> lines = readLines(output);
    List<JsonNode> inputs = readLines(input);
    assertEquals(3, lines.size());
    for (int i = 0; i < 3; i++) {
      JsonNode in = inputs.get(i);
      JsonNode out = lines.get(i);
      assertEquals(in.get("query"), out.get("query"), "input order");
      assertEquals(List.of("query", "pos", "neg", "prompt", "tag"), fieldNames(out), "fields kept, stale scores gone");
      List<String> pos = texts(in.get("pos"));
      List<String> expected = new ArrayList<>();
      for (String t : ranking(in.get("query").asText(), PASSAGES).subList(0, 5)) {
        if (!pos.contains(t) && expected.size() < 3) {
          expected.add(t);
        }
      }
      assertEquals(expected, texts(out.get("neg")), "record " + i);
    }
    assertTrue(Files.readString(output).contains("사업자등록증 재발급"), "non-ASCII written as is");
    assertTrue(Files.exists(dir.resolve("mined.jsonl.report.md")));
    // Without a pool the positives are corpus texts, so the report always has their score distribution.
    JsonNode positives = JSON.readTree(dir.resolve("mined.jsonl.report.json").toFile()).get("positive_scores");
    assertTrue(positives.get("count").asLong() > 0, positives.toString());
    assertTrue(Math.abs(positives.get("mean").asDouble()) <= 1.0 + 1e-6, "cosine scores: " + positives);
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void sameSeedSameOutputAcrossRerunsAndPartitionings() throws Exception {
    Path input = writeInput();
    MineJob.run(spark, args(input, dir.resolve("a.jsonl"), "--range_for_sampling", "0-10", "--negative_number", "3",
        "--num_partitions", "1"));
    MineJob.run(spark, args(input, dir.resolve("b.jsonl"), "--range_for_sampling", "0-10", "--negative_number", "3",
        "--num_partitions", "3"));
    MineJob.run(spark, args(input, dir.resolve("c.jsonl"), "--range_for_sampling", "0-10", "--negative_number", "3",
        "--num_partitions", "3", "--seed", "7"));
    String a = Files.readString(dir.resolve("a.jsonl"));
    assertEquals(a, Files.readString(dir.resolve("b.jsonl")));
    assertNotEquals(a, Files.readString(dir.resolve("c.jsonl")), "another seed samples differently");
  }

  @Test
  void candidatePoolIsTheWholeCorpus() throws Exception {
    Path input = writeInput();
    List<String> pool = PASSAGES.subList(6, 12);
    List<String> poolLines = new ArrayList<>();
    for (String t : pool) {
      poolLines.add(JSON.writeValueAsString(Map.of("text", t)));
    }
    poolLines.add(JSON.writeValueAsString(Map.of("text", pool.get(0)))); // a repeat counts once
    Files.write(dir.resolve("pool.jsonl"), poolLines);
    Path output = dir.resolve("mined.jsonl");
    MineResult result = MineJob.run(spark, args(input, output, "--candidate_pool", dir.resolve("pool.jsonl").toString(),
        "--range_for_sampling", "0-6", "--negative_number", "4", "--add_scores"));
    assertEquals(6, result.corpusSize());
    for (JsonNode line : readLines(output)) {
      List<String> neg = texts(line.get("neg"));
      assertEquals(4, neg.size());
      assertEquals(4, new HashSet<>(neg).size(), "no repeats");
      assertTrue(pool.containsAll(neg), "negatives come from the pool only: " + neg);
      assertFalse(neg.stream().anyMatch(texts(line.get("pos"))::contains));
      assertEquals(line.get("pos").size(), line.get("pos_scores").size());
    }
  }

  @Test
  void addScoresWritesAlignedDenseScores() throws Exception {
    Path input = writeInput();
    Path output = dir.resolve("mined.jsonl");
    // Range 0-3 with 5 negatives: some negatives are top-ups, which must be scored too.
    MineJob.run(spark, args(input, output, "--range_for_sampling", "0-3", "--negative_number", "5", "--add_scores"));
    for (JsonNode line : readLines(output)) {
      float[] q = dense(line.get("query").asText());
      List<String> pos = texts(line.get("pos"));
      List<String> neg = texts(line.get("neg"));
      assertEquals(5, neg.size());
      assertEquals(pos.size(), line.get("pos_scores").size());
      assertEquals(neg.size(), line.get("neg_scores").size());
      for (int j = 0; j < pos.size(); j++) {
        assertEquals(dot(q, dense(pos.get(j))), line.get("pos_scores").get(j).floatValue(), 1e-4);
      }
      for (int j = 0; j < neg.size(); j++) {
        assertEquals(dot(q, dense(neg.get(j))), line.get("neg_scores").get(j).floatValue(), 1e-4);
      }
    }
  }

  @Test
  void badRecordsFailWithFileAndLineOrGoToQuarantine() throws Exception {
    Path input = writeInput();
    List<String> lines = new ArrayList<>(Files.readAllLines(input));
    lines.add("{\"query\": \"q\", \"pos\": \"a string\", \"neg\": []}");
    lines.add("{\"query\": \"broken\"");
    Files.write(input, lines);
    Path output = dir.resolve("mined.jsonl");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MineJob.run(spark,
        args(input, output, "--range_for_sampling", "0-5", "--negative_number", "2")));
    assertTrue(e.getMessage().contains("2 bad training records"), e.getMessage());
    assertTrue(e.getMessage().contains("train.jsonl:4: pos"), e.getMessage());
    assertTrue(e.getMessage().contains("train.jsonl:5: (line): malformed JSON"), e.getMessage());
    assertFalse(Files.exists(output));

    MineResult result = MineJob.run(spark, args(input, output, "--range_for_sampling", "0-5", "--negative_number",
        "2", "--skip_bad_records"));
    assertEquals(3, result.records());
    assertEquals(2, result.badRecords());
    assertEquals(3, Files.readAllLines(output).size());
    List<JsonNode> quarantined = readLines(dir.resolve("mined.jsonl.quarantine.jsonl"));
    assertEquals(List.of(4L, 5L), quarantined.stream().map(n -> n.get("line").asLong()).toList());

    // A clean rerun over the same output leaves no quarantine of the earlier run beside the new file.
    Files.write(input, lines.subList(0, 3));
    MineJob.run(spark, args(input, output, "--range_for_sampling", "0-5", "--negative_number", "2", "--overwrite"));
    assertEquals(3, Files.readAllLines(output).size());
    assertFalse(Files.exists(dir.resolve("mined.jsonl.quarantine.jsonl")));
    assertTrue(Files.exists(dir.resolve("mined.jsonl.report.json")));
  }

  @Test
  void overwriteReplacesOnlyARegularFileThatIsNoInput() throws Exception {
    Path input = writeInput();
    Path output = dir.resolve("mined.jsonl");
    MineJob.run(spark, args(input, output, "--range_for_sampling", "0-5", "--negative_number", "2"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MineJob.run(spark,
        args(input, output, "--range_for_sampling", "0-5", "--negative_number", "2")));
    assertTrue(e.getMessage().contains("--overwrite"), e.getMessage());
    MineJob.run(spark, args(input, output, "--range_for_sampling", "0-5", "--negative_number", "3", "--overwrite"));
    assertEquals(3, readLines(output).get(0).get("neg").size());

    String before = Files.readString(input);
    e = assertThrows(IllegalArgumentException.class, () -> MineJob.run(spark,
        args(input, input, "--range_for_sampling", "0-5", "--negative_number", "2", "--overwrite")));
    assertTrue(e.getMessage().contains("--output_file " + input + ": --overwrite will not replace it: it is "
        + "--input_file " + input), e.getMessage());
    assertEquals(before, Files.readString(input));

    Path folder = Files.createDirectories(dir.resolve("folder.jsonl"));
    Files.writeString(folder.resolve("keep"), "x");
    e = assertThrows(IllegalArgumentException.class, () -> MineJob.run(spark,
        args(input, folder, "--range_for_sampling", "0-5", "--negative_number", "2", "--overwrite")));
    assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
    assertTrue(Files.exists(folder.resolve("keep")));
  }

  @Test
  void invalidUtf8AndRepeatedKeysAreBadRecordsNeverReplacedOrResolved() throws Exception {
    Path input = writeInput();
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    bytes.write(Files.readAllBytes(input));
    bytes.write((record("caf\u00e9 hours?", List.of(PASSAGES.get(4)), List.of(PASSAGES.get(9)), "latin-1") + "\n")
        .getBytes(StandardCharsets.ISO_8859_1));
    bytes.write("{\"query\": \"q\", \"pos\": [\"p\"], \"pos\": [\"other\"]}\n".getBytes(StandardCharsets.UTF_8));
    Files.write(input, bytes.toByteArray());
    Path output = dir.resolve("mined.jsonl");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MineJob.run(spark,
        args(input, output, "--range_for_sampling", "0-5", "--negative_number", "2")));
    assertTrue(e.getMessage().contains("train.jsonl:4: (line): invalid UTF-8 at byte 13"), e.getMessage());
    assertTrue(e.getMessage().contains("train.jsonl:5: (line): malformed JSON: Duplicate field 'pos'"),
        e.getMessage());

    MineJob.run(spark, args(input, output, "--range_for_sampling", "0-5", "--negative_number", "2",
        "--skip_bad_records"));
    assertFalse(Files.readString(output).contains("\uFFFD"));
    assertEquals(3, Files.readAllLines(output).size());
    List<JsonNode> quarantined = readLines(dir.resolve("mined.jsonl.quarantine.jsonl"));
    assertEquals(List.of(4L, 5L), quarantined.stream().map(n -> n.get("line").asLong()).toList());

    Path pool = dir.resolve("pool.jsonl");
    Files.write(pool, ("{\"text\": \"ok\"}\n{\"text\": \"caf\u00e9\"}\n").getBytes(StandardCharsets.ISO_8859_1));
    Exception poolError = assertThrows(Exception.class, () -> MineJob.run(spark, args(writeInput(),
        dir.resolve("p.jsonl"), "--candidate_pool", pool.toString(), "--range_for_sampling", "0-1",
        "--negative_number", "1")));
    String message = io.m3spark.cli.Errors.userMessage(poolError);
    assertTrue(message.contains("pool.jsonl:2: invalid UTF-8 at byte 13"), message);
  }

  @Test
  void aCorpusTooSmallForTheRangeStillWritesEveryRecord() throws Exception {
    Path input = dir.resolve("small.jsonl");
    Files.write(input, List.of(record("q1", List.of("alpha"), List.of("beta", "gamma"), "x"),
        record("q2", List.of("delta"), List.of("alpha"), "y")));
    Path output = dir.resolve("mined.jsonl");
    MineResult result = MineJob.run(spark, args(input, output)); // defaults: range 10-210, 15 negatives
    assertEquals(4, result.corpusSize());
    assertEquals(2, result.records());
    assertFalse(result.warnings().isEmpty(), "the report says why the lists are short");
    assertTrue(Files.readString(dir.resolve("mined.jsonl.report.md")).contains("range"));
    for (JsonNode line : readLines(output)) {
      List<String> neg = texts(line.get("neg"));
      Set<String> allowed = new HashSet<>(List.of("alpha", "beta", "gamma", "delta"));
      texts(line.get("pos")).forEach(allowed::remove);
      // All 4 texts rank above position 10, so none is mined, and the top-up never picks a skipped top hit.
      assertTrue(allowed.containsAll(neg), neg.toString());
    }
  }
}
