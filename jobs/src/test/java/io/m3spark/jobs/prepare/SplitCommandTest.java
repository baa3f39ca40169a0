package io.m3spark.jobs.prepare;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m3spark.cli.ArgParser;
import io.m3spark.cli.UsageException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SplitCommandTest {
  /** 40 passages with 3 questions each; plus a chain q-a/q-b/q-c linked through two shared positives. */
  static List<String> records() {
    List<String> lines = new ArrayList<>();
    for (int p = 0; p < 40; p++) {
      for (int q = 0; q < 3; q++) {
        lines.add("{\"query\":\"question " + q + " about " + p + "\",\"pos\":[\"passage " + p + "\"]}");
      }
    }
    lines.add("{\"query\":\"q-a\",\"pos\":[\"chain 1\"]}");
    lines.add("{\"query\":\"q-b\",\"pos\":[\"chain 1\",\"chain 2\"]}");
    lines.add("{\"query\":\"q-c\",\"pos\":[\"chain 2\"]}");
    return lines;
  }

  static SplitReport split(Path input, Path out, String... more) throws Exception {
    List<String> flags = new ArrayList<>(List.of("--input", input.toString(), "--output_dir", out.toString()));
    flags.addAll(List.of(more));
    return new SplitCommand().run(ArgParser.parse(SplitArgs.class, flags.toArray(String[]::new)));
  }

  static Set<String> lines(Path file) throws Exception {
    return new HashSet<>(Files.readAllLines(file));
  }

  @Test
  void positiveGroupingNeverLeaksAndKeepsChainsTogether(@TempDir Path dir) throws Exception {
    Path in = dir.resolve("all.jsonl");
    Files.write(in, records());
    SplitReport r = split(in, dir.resolve("out"), "--test_ratio", "0.25", "--seed", "3");
    assertEquals(123, r.records());
    assertEquals(41, r.groups());
    assertEquals(10, r.testGroups());
    assertEquals(0, r.leakedTestRecords());
    assertEquals(r.testRecords(), Files.readAllLines(dir.resolve("out/test.jsonl")).size());
    assertEquals(r.trainRecords(), Files.readAllLines(dir.resolve("out/train.jsonl")).size());
    String test = Files.readString(dir.resolve("out/test.jsonl"));
    boolean a = test.contains("\"q-a\"");
    assertEquals(a, test.contains("\"q-b\""));
    assertEquals(a, test.contains("\"q-c\""));
    String report = Files.readString(dir.resolve("out/split_report.json"));
    assertTrue(report.contains("\"leakage_percent\" : 0.0"), report);
  }

  @Test
  void queryGroupingLeaksAndSaysSo(@TempDir Path dir) throws Exception {
    Path in = dir.resolve("all.jsonl");
    Files.write(in, records());
    SplitReport r = split(in, dir.resolve("out"), "--group_by", "query");
    assertEquals(123, r.groups());
    assertEquals(25, r.testGroups());
    assertTrue(r.leakagePercent() > 50, r.toString());
  }

  @Test
  void sameSeedSameFilesWhateverTheLineOrder(@TempDir Path dir) throws Exception {
    List<String> records = records();
    Path in = dir.resolve("a.jsonl");
    Files.write(in, records);
    Collections.shuffle(records, new Random(5));
    Path shuffled = dir.resolve("b.jsonl");
    Files.write(shuffled, records);
    split(in, dir.resolve("one"), "--seed", "9");
    split(in, dir.resolve("two"), "--seed", "9");
    split(shuffled, dir.resolve("three"), "--seed", "9");
    split(in, dir.resolve("four"), "--seed", "10");
    assertEquals(Files.readString(dir.resolve("one/test.jsonl")), Files.readString(dir.resolve("two/test.jsonl")));
    assertEquals(lines(dir.resolve("one/test.jsonl")), lines(dir.resolve("three/test.jsonl")));
    assertEquals(lines(dir.resolve("one/train.jsonl")), lines(dir.resolve("three/train.jsonl")));
    assertNotEquals(lines(dir.resolve("one/test.jsonl")), lines(dir.resolve("four/test.jsonl")));
  }

  @Test
  void badRecordsFailWithLineOrGoToQuarantine(@TempDir Path dir) throws Exception {
    List<String> records = records();
    records.add(2, "{\"query\":\"q\",\"pos\":\"a string\"}");
    Path in = dir.resolve("all.jsonl");
    Files.write(in, records);
    BadTrainingDataException e = assertThrows(BadTrainingDataException.class, () -> split(in, dir.resolve("out")));
    assertTrue(e.getMessage().contains(in + ":3: pos: pos must be a list of strings"), e.getMessage());
    assertTrue(!Files.exists(dir.resolve("out/train.jsonl")));
    SplitReport r = split(in, dir.resolve("out"), "--skip_bad_records");
    assertEquals(123, r.records());
    assertEquals(1, r.badRecords());
    assertTrue(Files.readString(dir.resolve("out/quarantine.jsonl")).contains("\"line\":3"));

    // A clean rerun into the same folder leaves no quarantine of the earlier run beside its outputs.
    Files.write(in, records());
    split(in, dir.resolve("out"), "--skip_bad_records");
    assertFalse(Files.exists(dir.resolve("out/quarantine.jsonl")));
  }

  @Test
  void repeatedKeysAndInvalidUtf8AreBadRecordsWithTheirLines(@TempDir Path dir) throws Exception {
    List<String> records = records();
    // Python's json (and a default Jackson mapper) would keep the second query and train on it silently.
    records.add(4, "{\"query\":\"q\",\"pos\":[\"p\"],\"query\":\"other\"}");
    Path in = dir.resolve("all.jsonl");
    byte[] text = (String.join("\n", records) + "\n").getBytes(StandardCharsets.UTF_8);
    byte[] latin1 = "{\"query\":\"caf\u00e9\",\"pos\":[\"p\"]}\n".getBytes(StandardCharsets.ISO_8859_1);
    Files.write(in, java.nio.ByteBuffer.allocate(text.length + latin1.length).put(text).put(latin1).array());
    BadTrainingDataException e = assertThrows(BadTrainingDataException.class, () -> split(in, dir.resolve("out")));
    assertTrue(e.getMessage().contains(in + ":5: (line): malformed JSON: Duplicate field 'query'"), e.getMessage());
    assertTrue(e.getMessage().contains(in + ":125: (line): invalid UTF-8 at byte 13"), e.getMessage());
    SplitReport r = split(in, dir.resolve("out"), "--skip_bad_records");
    assertEquals(2, r.badRecords());
    assertEquals(123, r.records());
  }

  @Test
  void ratioMustBeAFraction() {
    assertThrows(UsageException.class, () -> ArgParser.parse(SplitArgs.class, "--input", "x", "--output_dir", "d",
        "--test_ratio", "1"));
  }

  @Test
  void refusesToWriteOverItsInput(@TempDir Path dir) throws Exception {
    Path in = dir.resolve("train.jsonl");
    Files.write(in, records());
    byte[] before = Files.readAllBytes(in);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> split(in, dir));
    assertTrue(e.getMessage().contains("will not write it: it is --input"), e.getMessage());
    assertArrayEquals(before, Files.readAllBytes(in), "the input is untouched");
    assertFalse(Files.exists(dir.resolve("test.jsonl")));
  }
}
