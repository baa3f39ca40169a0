package io.m3spark.jobs.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.m3spark.cli.ArgParser;
import io.m3spark.io.NpyReader;
import io.m3spark.model.EncodeOptions;
import io.m3spark.model.Embedding;
import io.m3spark.model.LoadOptions;
import io.m3spark.model.M3Model;
import io.m3spark.jobs.spark.SparkSessions;
import io.m3spark.jobs.TinyM3;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.collection.JavaConverters;

/** The embed job end to end: real local Spark, the real tiny-m3 model, real files. */
class EmbedJobTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final double TOL = 1e-5;
  private static final int MAX_LENGTH = 32;
  private static final String LONG_TEXT = "사업자등록증을 분실했을 경우, 관할 세무서 또는 홈택스를 통해 재발급 신청이 가능합니다. ".repeat(4);

  private static SparkSession spark;
  private static M3Model model;
  private static Path modelFolder;

  @TempDir
  Path dir;

  @BeforeAll
  static void start() throws IOException {
    modelFolder = TinyM3.folder();
    spark = SparkSessions.local("EmbedJobTest", 2);
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

  // ---- inputs ----

  /** A folder with two JSONL files around a Parquet file; returns (id, text the model must see) in input order. */
  private List<String[]> writeCorpusFolder(Path folder) throws IOException {
    Files.createDirectories(folder);
    write(folder.resolve("a.jsonl"),
        "{\"id\": \"a1\", \"title\": \"서울\", \"text\": \"한국의 수도는 서울입니다.\"}",
        "",
        "{\"id\": 2, \"text\": \"Total revenue for fiscal 2023 was $4.2 billion.\"}",
        "{\"id\": \"a3\", \"text\": \"" + LONG_TEXT + "\"}");
    writeParquet(folder.resolve("b.parquet"), List.of(
        RowFactory.create("b1", "닭발은 최고의 야식입니다", null),
        RowFactory.create("b2", "강남은 한국에서 가장 아름다운 도시입니다", "강남")));
    write(folder.resolve("c.jsonl"),
        "{\"id\": 7.5, \"text\": \"The 서울 office opened in 2021; 매출은 전년 대비 12% 증가했습니다.\"}",
        "{\"text\": \"What was the company's total revenue in 2023?\", \"id\": \"c2\"}");
    Files.writeString(folder.resolve("notes.txt"), "not an input file");
    return List.of(
        new String[] {"a1", "서울 한국의 수도는 서울입니다."},
        new String[] {"2", "Total revenue for fiscal 2023 was $4.2 billion."},
        new String[] {"a3", LONG_TEXT},
        new String[] {"b1", "닭발은 최고의 야식입니다"},
        new String[] {"b2", "강남 강남은 한국에서 가장 아름다운 도시입니다"},
        new String[] {"7.5", "The 서울 office opened in 2021; 매출은 전년 대비 12% 증가했습니다."},
        new String[] {"c2", "What was the company's total revenue in 2023?"});
  }

  private static void write(Path file, String... lines) throws IOException {
    Files.writeString(file, String.join("\n", lines) + "\n");
  }

  private void writeParquet(Path file, List<Row> rows) throws IOException {
    StructType schema = new StructType().add("id", DataTypes.StringType).add("text", DataTypes.StringType)
        .add("title", DataTypes.StringType);
    Path tmp = dir.resolve("parquet-" + file.getFileName());
    spark.createDataFrame(rows, schema).coalesce(1).write().parquet(tmp.toString());
    try (Stream<Path> files = Files.list(tmp)) {
      Path part = files.filter(p -> p.getFileName().toString().endsWith(".parquet")).findFirst().orElseThrow();
      Files.move(part, file);
    }
  }

  private EmbedArgs args(String... flags) throws Exception {
    List<String> all = new ArrayList<>(List.of("--model_name_or_path", modelFolder.toString(),
        "--max_length", String.valueOf(MAX_LENGTH), "--batch_size", "3"));
    all.addAll(List.of(flags));
    return ArgParser.parse(EmbedArgs.class, all.toArray(String[]::new));
  }

  // ---- outputs ----

  private static float[][] npy(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return NpyReader.read(in);
    }
  }

  /** Part files one by one in name order: reading the folder at once lets Spark order splits by size. */
  private List<Row> parquetRows(Path output) throws IOException {
    List<Row> rows = new ArrayList<>();
    try (Stream<Path> parts = Files.list(output.resolve("embeddings"))) {
      for (Path part : parts.filter(p -> p.getFileName().toString().endsWith(".parquet")).sorted().toList()) {
        rows.addAll(spark.read().parquet(part.toString()).collectAsList());
      }
    }
    return rows;
  }

  private static List<JsonNode> jsonLines(Path file) throws IOException {
    List<JsonNode> nodes = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      nodes.add(JSON.readTree(line));
    }
    return nodes;
  }

  private static List<JsonNode> jsonOutput(Path output) throws IOException {
    List<JsonNode> nodes = new ArrayList<>();
    try (Stream<Path> parts = Files.list(output.resolve("embeddings"))) {
      for (Path part : parts.filter(p -> p.getFileName().toString().startsWith("part-")).sorted().toList()) {
        nodes.addAll(jsonLines(part));
      }
    }
    return nodes;
  }

  private static List<Embedding> direct(List<String[]> expected, boolean all) {
    List<String> texts = expected.stream().map(e -> e[1]).toList();
    EncodeOptions options = all ? EncodeOptions.all(MAX_LENGTH) : EncodeOptions.builder().maxLength(MAX_LENGTH).build();
    return model.encode(texts, options);
  }

  private static void assertClose(float[] expected, float[] actual) {
    assertEquals(expected.length, actual.length);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], TOL, "component " + i);
    }
  }

  private static float[] floats(List<?> values) {
    float[] out = new float[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = ((Number) values.get(i)).floatValue();
    }
    return out;
  }

  // ---- tests ----

  @Test
  void folderOfJsonlAndParquetMatchesDirectEncodeInInputOrder() throws Exception {
    List<String[]> expected = writeCorpusFolder(dir.resolve("in"));
    List<Embedding> reference = direct(expected, true);
    Path out1 = dir.resolve("out1");
    Path out3 = dir.resolve("out3");

    EmbedResult one = EmbedJob.run(spark, args("--input", dir.resolve("in").toString(), "--output", out1.toString(),
        "--return_sparse", "--return_colbert_vecs", "--num_partitions", "1"));
    EmbedResult three = EmbedJob.run(spark, args("--input", dir.resolve("in").toString(), "--output", out3.toString(),
        "--return_sparse", "--return_colbert_vecs", "--num_partitions", "3"));

    assertEquals(7, one.read());
    assertEquals(7, one.embedded());
    assertEquals(1, one.truncated());
    assertTrue(one.longestText() > MAX_LENGTH);
    assertEquals(model.fingerprint(), one.modelFingerprint());
    List<String> ids = expected.stream().map(e -> e[0]).toList();
    assertEquals(ids, Files.readAllLines(out1.resolve("ids.txt")));
    assertEquals(Files.readAllLines(out1.resolve("ids.txt")), Files.readAllLines(out3.resolve("ids.txt")));
    // Same rows in the same order; values equal up to float rounding, since other partitions make other batches (padding).
    float[][] dense = npy(out1.resolve("dense.npy"));
    float[][] dense3 = npy(out3.resolve("dense.npy"));
    assertEquals(dense.length, dense3.length);
    for (int i = 0; i < dense.length; i++) {
      assertClose(dense[i], dense3[i]);
    }
    for (Path out : List.of(out1, out3)) {
      List<Row> rows = parquetRows(out);
      assertEquals(ids, rows.stream().map(r -> r.getString(0)).toList());
      for (int i = 0; i < rows.size(); i++) {
        Row row = rows.get(i);
        Embedding ref = reference.get(i);
        assertClose(ref.dense(), floats(row.getList(row.fieldIndex("dense"))));
        assertClose(ref.dense(), dense[i]);
        Map<String, Float> sparse = JavaConverters.mapAsJavaMap(row.<String, Float>getMap(row.fieldIndex("sparse")));
        assertEquals(ref.sparse().size(), sparse.size());
        ref.sparse().forEach((token, weight) -> assertEquals(weight, sparse.get(token.toString()), TOL));
        List<Object> colbert = row.getList(row.fieldIndex("colbert"));
        assertEquals(ref.colbert().length, colbert.size());
        for (int v = 0; v < colbert.size(); v++) {
          assertClose(ref.colbert()[v], floats(JavaConverters.seqAsJavaList((scala.collection.Seq<?>) colbert.get(v))));
        }
      }
    }
    JsonNode manifest = JSON.readTree(out1.resolve("_embed.json").toFile());
    assertEquals(model.fingerprint(), manifest.get("model_fingerprint").asText());
    assertEquals(1, manifest.get("counts").get("truncated").asInt());
    assertEquals(reference.get(0).dense().length, manifest.get("dims").get("dense").asInt());
    assertFalse(Files.exists(out1.resolve("quarantine.jsonl")));
    try (Stream<Path> siblings = Files.list(dir)) {
      assertTrue(siblings.noneMatch(p -> p.getFileName().toString().contains("._tmp-")), "no temporary folder left");
    }
  }

  @Test
  void jsonlOutputThroughFileUrisMatchesDirectEncode() throws Exception {
    List<String[]> expected = writeCorpusFolder(dir.resolve("in"));
    List<Embedding> reference = direct(expected, false);
    Path out = dir.resolve("json-out");
    EmbedResult result = EmbedJob.run(spark, args("--input", dir.resolve("in").toUri().toString(),
        "--output", out.toUri().toString(), "--output_format", "jsonl", "--num_partitions", "2"));
    assertEquals(7, result.embedded());
    List<JsonNode> lines = jsonOutput(out);
    assertEquals(expected.stream().map(e -> e[0]).toList(), lines.stream().map(n -> n.get("id").asText()).toList());
    for (int i = 0; i < lines.size(); i++) {
      JsonNode line = lines.get(i);
      assertNull(line.get("sparse"));
      assertNull(line.get("colbert"));
      float[] dense = new float[line.get("dense").size()];
      for (int k = 0; k < dense.length; k++) {
        dense[k] = line.get("dense").get(k).floatValue();
      }
      assertClose(reference.get(i).dense(), dense);
    }
  }

  @Test
  void queryInstructionIsApplied() throws Exception {
    write(dir.resolve("q.jsonl"), "{\"id\": \"q1\", \"text\": \"한국의 수도는 어디인가요?\", \"title\": \"ignored\"}");
    Path out = dir.resolve("q-out");
    EmbedJob.run(spark, args("--input", dir.resolve("q.jsonl").toString(), "--output", out.toString(),
        "--kind", "query", "--query_instruction_for_retrieval", "Represent this query:",
        "--query_instruction_format_for_retrieval", "{}\\n{}"));
    Embedding reference = direct(List.<String[]>of(new String[] {"q1", "Represent this query:\n한국의 수도는 어디인가요?"}),
        false).get(0);
    Embedding plain = direct(List.<String[]>of(new String[] {"q1", "한국의 수도는 어디인가요?"}), false).get(0);
    float[] got = npy(out.resolve("dense.npy"))[0];
    assertClose(reference.dense(), got);
    assertFalse(Arrays.equals(plain.dense(), got));
  }

  /** Every kind of bad record, each with its line; returns the input folder. */
  private Path writeBadInput() throws IOException {
    Path in = dir.resolve("bad");
    Files.createDirectories(in);
    write(in.resolve("1.jsonl"),
        "{\"id\": \"x1\", \"text\": \"good one\"}",
        "{\"id\": \"x2\", \"text\": \"broken\"",
        "[\"not\", \"an object\"]",
        "{\"id\": \"x4\"}",
        "{\"id\": \"x5\", \"text\": null}",
        "{\"id\": \"x6\", \"text\": \"   \"}",
        "{\"id\": \"x7\", \"text\": 42}",
        "{\"text\": \"no id\"}",
        "{\"id\": [1], \"text\": \"array id\"}",
        "{\"id\": \"x10\", \"text\": \"good two\"}");
    byte[] invalid = "{\"id\": \"y1\", \"text\": \"bad \u00e9 byte\"}\n{\"id\": \"x1\", \"text\": \"dup\"}\n"
        .getBytes(StandardCharsets.UTF_8);
    int at = indexOf(invalid, (byte) 0xC3);
    invalid[at + 1] = 'Z'; // a UTF-8 lead byte without its continuation byte
    Files.write(in.resolve("2.jsonl"), invalid);
    return in;
  }

  private static int indexOf(byte[] bytes, byte b) {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    throw new IllegalStateException();
  }

  @Test
  void badRecordsFailBeforeEmbeddingWithFileLineFieldAndReason() throws Exception {
    Path in = writeBadInput();
    Path out = dir.resolve("bad-out");
    BadInputException e = assertThrows(BadInputException.class,
        () -> EmbedJob.run(spark, args("--input", in.toString(), "--output", out.toString())));
    String file1 = in.resolve("1.jsonl").toUri().toString().replace("file:///", "file:/");
    String file2 = in.resolve("2.jsonl").toUri().toString().replace("file:///", "file:/");
    String message = e.getMessage();
    assertTrue(message.startsWith("10 bad input records"), message);
    for (String expected : List.of(
        file1 + ":2: line: malformed JSON",
        file1 + ":3: line: not a JSON object but an array",
        file1 + ":4: text: missing",
        file1 + ":5: text: null",
        file1 + ":6: text: only whitespace",
        file1 + ":7: text: must be a string, not a number",
        file1 + ":8: id: missing",
        file1 + ":9: id: must be a string or a number, not an array",
        file2 + ":1: line: invalid UTF-8 at byte",
        file2 + ":2: id: duplicate id \"x1\" (first at " + file1 + ":1)")) {
      assertTrue(message.contains(expected), "missing <" + expected + "> in\n" + message);
    }
    assertFalse(Files.exists(out));
  }

  @Test
  void skipBadRecordsQuarantinesThemAndEmbedsTheRest() throws Exception {
    Path in = writeBadInput();
    Path out = dir.resolve("skip-out");
    EmbedResult result = EmbedJob.run(spark, args("--input", in.toString(), "--output", out.toString(),
        "--skip_bad_records"));
    assertEquals(12, result.read());
    assertEquals(2, result.embedded());
    assertEquals(10, result.quarantined());
    assertEquals(1, result.duplicateIds());
    assertEquals(List.of("x1", "x10"), Files.readAllLines(out.resolve("ids.txt")));
    List<JsonNode> quarantine = jsonLines(out.resolve("quarantine.jsonl"));
    assertEquals(10, quarantine.size());
    assertEquals(List.of(2, 3, 4, 5, 6, 7, 8, 9, 1, 2), quarantine.stream().map(q -> q.get("line").asInt()).toList());
    JsonNode missingText = quarantine.get(2);
    assertEquals("text", missingText.get("field").asText());
    assertEquals("missing", missingText.get("reason").asText());
    assertEquals("{\"id\": \"x4\"}", missingText.get("raw").asText());
    assertTrue(quarantine.get(8).get("reason").asText().startsWith("invalid UTF-8"));
    assertTrue(quarantine.get(9).get("file").asText().endsWith("2.jsonl"));
  }

  @Test
  void parquetRowsAreCheckedWithRowNumbers() throws Exception {
    Path in = dir.resolve("p.parquet");
    writeParquet(in, List.of(RowFactory.create("p1", "fine", null), RowFactory.create("p2", " ", null),
        RowFactory.create(null, "no id", null)));
    BadInputException e = assertThrows(BadInputException.class,
        () -> EmbedJob.run(spark, args("--input", in.toString(), "--output", dir.resolve("p-out").toString())));
    assertTrue(e.getMessage().contains("p.parquet:row 2: text: only whitespace"), e.getMessage());
    assertTrue(e.getMessage().contains("p.parquet:row 3: id: null"), e.getMessage());
  }

  @Test
  void foldersSkipHiddenNamesAndSubFoldersAndReadCompressedJsonl() throws Exception {
    Path in = dir.resolve("listed");
    Files.createDirectories(in.resolve("sub"));
    write(in.resolve("a.jsonl"), "{\"id\": \"a1\", \"text\": \"first\"}");
    write(in.resolve(".a.jsonl"), "an editor's swap file, not JSON");
    Files.write(in.resolve("._a.jsonl"), new byte[] {0, 5, 22, 7, (byte) 0xFF}); // a macOS resource fork
    write(in.resolve("_SUCCESS"));
    write(in.resolve("sub/c.jsonl"), "{\"id\": \"c1\", \"text\": \"not read: folders are not recursive\"}");
    // Line 3 has invalid UTF-8: the quarantine must name the compressed file and its decompressed line.
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    text.write("{\"id\": \"b1\", \"text\": \"second\"}\n\n".getBytes(StandardCharsets.UTF_8));
    text.write("{\"id\": \"b3\", \"text\": \"caf\u00e9\"}\n".getBytes(StandardCharsets.ISO_8859_1));
    text.write("{\"id\": \"b4\", \"text\": \"third\"}\n".getBytes(StandardCharsets.UTF_8));
    try (var gz = new java.util.zip.GZIPOutputStream(Files.newOutputStream(in.resolve("b.jsonl.gz")))) {
      text.writeTo(gz);
    }
    var bzip2 = new org.apache.hadoop.io.compress.BZip2Codec();
    bzip2.setConf(new org.apache.hadoop.conf.Configuration());
    try (var bz = bzip2.createOutputStream(Files.newOutputStream(in.resolve("d.jsonl.bz2")))) {
      bz.write("{\"id\": \"d1\", \"text\": \"fourth\"}\n".getBytes(StandardCharsets.UTF_8));
    }
    Path out = dir.resolve("listed-out");
    EmbedResult result = EmbedJob.run(spark, args("--input", in.toString(), "--output", out.toString(),
        "--skip_bad_records"));
    assertEquals(List.of("a1", "b1", "b4", "d1"), Files.readAllLines(out.resolve("ids.txt")));
    assertEquals(1, result.quarantined());
    JsonNode bad = jsonLines(out.resolve("quarantine.jsonl")).get(0);
    assertTrue(bad.get("file").asText().endsWith("b.jsonl.gz"), bad.toString());
    assertEquals(3, bad.get("line").asInt());
    assertTrue(bad.get("reason").asText().startsWith("invalid UTF-8 at byte"), bad.toString());

    IllegalArgumentException hidden = assertThrows(IllegalArgumentException.class, () -> EmbedJob.run(spark,
        args("--input", in.resolve(".a.jsonl").toString(), "--output", dir.resolve("hidden-out").toString())));
    assertTrue(hidden.getMessage().contains("start with '.' or '_'"), hidden.getMessage());
  }

  @Test
  void aModelThatProducesNanIsRefusedWithTheRecordsId() throws Exception {
    // tiny-m3 with the word embeddings of one text's tokens set to NaN: only that text's vectors are NaN.
    Path broken = dir.resolve("nan-model");
    Files.createDirectories(broken);
    try (var files = Files.list(modelFolder)) {
      for (Path f : files.filter(f -> !f.getFileName().toString().equals("pytorch_model.bin")).toList()) {
        Files.copy(f, broken.resolve(f.getFileName()));
      }
    }
    String poisoned = "zebra crossing";
    java.nio.ByteBuffer weights = java.nio.ByteBuffer.wrap(Files.readAllBytes(broken.resolve("model.safetensors")))
        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    int headerLength = (int) weights.getLong(0);
    JsonNode embeddings = JSON.readTree(new String(weights.array(), 8, headerLength, StandardCharsets.UTF_8))
        .get("embeddings.word_embeddings.weight");
    int dim = embeddings.get("shape").get(1).asInt();
    long start = 8 + headerLength + embeddings.get("data_offsets").get(0).asLong();
    int[] fine = model.tokenizer().encode("서울", MAX_LENGTH).ids(); // its tokens (specials included) stay finite
    for (int id : model.tokenizer().encode(poisoned, MAX_LENGTH).ids()) {
      if (Arrays.stream(fine).noneMatch(f -> f == id)) {
        for (int j = 0; j < dim; j++) {
          weights.putFloat((int) (start + ((long) id * dim + j) * Float.BYTES), Float.NaN);
        }
      }
    }
    Files.write(broken.resolve("model.safetensors"), weights.array());
    Path in = dir.resolve("nan.jsonl");
    write(in, "{\"id\": \"fine\", \"text\": \"서울\"}", "{\"id\": \"z9\", \"text\": \"" + poisoned + "\"}");
    Path out = dir.resolve("nan-out");
    Exception e = assertThrows(Exception.class, () -> EmbedJob.run(spark, args("--model_name_or_path",
        broken.toString(), "--input", in.toString(), "--output", out.toString())));
    String message = io.m3spark.cli.Errors.userMessage(e);
    assertTrue(message.contains("the model produced NaN in the dense vector of id 'z9'")
        && message.contains("nan.jsonl:2"), message);
    assertFalse(Files.exists(out));
  }

  @Test
  void corruptOrMissingModelsAreNamedBeforeAnyInputIsRead() throws Exception {
    write(dir.resolve("one.jsonl"), "{\"id\": \"o1\", \"text\": \"hello\"}");
    Path corrupt = dir.resolve("corrupt-model");
    Files.createDirectories(corrupt);
    try (var files = Files.list(modelFolder)) {
      for (Path f : files.toList()) {
        Files.copy(f, corrupt.resolve(f.getFileName()));
      }
    }
    byte[] weights = Files.readAllBytes(corrupt.resolve("model.safetensors"));
    Files.write(corrupt.resolve("model.safetensors"), java.util.Arrays.copyOf(weights, weights.length / 2));
    Exception e = assertThrows(Exception.class, () -> EmbedJob.run(spark, args("--model_name_or_path",
        corrupt.toString(), "--input", dir.resolve("one.jsonl").toString(), "--output", dir.resolve("o1").toString())));
    String message = io.m3spark.cli.Errors.userMessage(e);
    assertTrue(message.contains(corrupt.resolve("model.safetensors").toString()) && message.contains("truncated"),
        message);

    Path missing = dir.resolve("no-such-model");
    e = assertThrows(Exception.class, () -> EmbedJob.run(spark, args("--model_name_or_path", missing.toString(),
        "--input", dir.resolve("one.jsonl").toString(), "--output", dir.resolve("o2").toString())));
    message = io.m3spark.cli.Errors.userMessage(e);
    assertTrue(message.contains("cannot find model") && message.contains(missing.toString()), message);
    assertFalse(Files.exists(dir.resolve("o1")) || Files.exists(dir.resolve("o2")));
  }

  @Test
  void existingOutputNeedsOverwrite() throws Exception {
    write(dir.resolve("one.jsonl"), "{\"id\": \"o1\", \"text\": \"hello\"}");
    Path out = dir.resolve("existing");
    Files.createDirectories(out);
    Files.writeString(out.resolve("old.txt"), "old");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EmbedJob.run(spark,
        args("--input", dir.resolve("one.jsonl").toString(), "--output", out.toString())));
    assertTrue(e.getMessage().contains("--overwrite"), e.getMessage());

    // A folder no embed wrote (no _embed.json) is not ours to replace, even with --overwrite.
    e = assertThrows(IllegalArgumentException.class, () -> EmbedJob.run(spark,
        args("--input", dir.resolve("one.jsonl").toString(), "--output", out.toString(), "--overwrite")));
    assertTrue(e.getMessage().contains("_embed.json") && e.getMessage().contains("old.txt"), e.getMessage());
    assertEquals("old", Files.readString(out.resolve("old.txt")));

    // An earlier embed output is replaced whole: its quarantine does not survive a clean rerun.
    Path ours = dir.resolve("ours");
    EmbedJob.run(spark, args("--input", writeBadInput().toString(), "--output", ours.toString(),
        "--skip_bad_records"));
    assertTrue(Files.exists(ours.resolve("quarantine.jsonl")));
    EmbedJob.run(spark, args("--input", dir.resolve("one.jsonl").toString(), "--output", ours.toString(),
        "--overwrite"));
    assertFalse(Files.exists(ours.resolve("quarantine.jsonl")));
    assertEquals(List.of("o1"), Files.readAllLines(ours.resolve("ids.txt")));
  }

  @Test
  void overwriteNeverReplacesAFolderHoldingAnInputTheModelOrTheWorkingDirectory() throws Exception {
    Path proj = dir.resolve("proj");
    Path input = proj.resolve("data").resolve("in.jsonl");
    Files.createDirectories(input.getParent());
    write(input, "{\"id\": \"o1\", \"text\": \"hello\"}");
    Files.writeString(proj.resolve("notes.txt"), "keep me");

    // The reproduction: this used to exit 0 after deleting proj/ with the input in it.
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EmbedJob.run(spark,
        args("--input", input.toString(), "--output", proj.toString(), "--overwrite")));
    assertTrue(e.getMessage().contains("--output " + proj) && e.getMessage().contains("--overwrite")
        && e.getMessage().contains("contains --input " + input), e.getMessage());
    assertEquals("keep me", Files.readString(proj.resolve("notes.txt")));
    assertTrue(Files.exists(input));

    e = assertThrows(IllegalArgumentException.class, () -> EmbedJob.run(spark,
        args("--input", input.getParent().toString(), "--output", input.getParent().toString(), "--overwrite")));
    assertTrue(e.getMessage().contains("is --input"), e.getMessage());

    Path models = dir.resolve("models");
    Path tiny = models.resolve("tiny");
    Files.createDirectories(tiny);
    try (Stream<Path> files = Files.list(modelFolder)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Files.copy(f, tiny.resolve(f.getFileName()));
      }
    }
    e = assertThrows(IllegalArgumentException.class, () -> EmbedJob.run(spark, args("--model_name_or_path",
        tiny.toString(), "--input", input.toString(), "--output", models.toString(), "--overwrite")));
    assertTrue(e.getMessage().contains("contains --model_name_or_path " + tiny), e.getMessage());

    String cwd = System.getProperty("user.dir");
    e = assertThrows(IllegalArgumentException.class, () -> EmbedJob.run(spark,
        args("--input", input.toString(), "--output", cwd, "--overwrite")));
    assertTrue(e.getMessage().contains("the current directory"), e.getMessage());
    assertTrue(Files.exists(tiny.resolve("config.json")) && Files.isDirectory(Path.of(cwd, "src")));
  }
}
