package io.m3spark.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainRecordReaderTest {
  private final TrainRecordReader reader = new TrainRecordReader(false);
  private final TrainRecordReader scored = new TrainRecordReader(true);

  private static TrainRecord good(ParsedLine p) {
    return assertInstanceOf(ParsedLine.Good.class, p).record();
  }

  private static BadTrainRecord bad(ParsedLine p) {
    return assertInstanceOf(ParsedLine.Bad.class, p).bad();
  }

  @Test
  void keepsEveryFieldInOrderAndWritesNonAsciiAsIs() {
    String line = "{\"id\":7,\"query\":\"서울은?\",\"extra\":{\"a\":[1,2]},\"pos\":[\"수도\"],\"neg\":[\"부산\"],"
        + "\"prompt\":\"Given a question\",\"type\":\"normal\"}";
    TrainRecord r = good(reader.parse("f", 1, line));
    assertEquals("서울은?", r.query());
    assertEquals(List.of("수도"), r.pos());
    assertEquals(List.of("부산"), r.neg());
    assertEquals("Given a question", r.prompt());
    assertEquals("normal", r.type());
    assertNull(r.posScores());
    assertEquals(line, r.toJsonLine());
    String replaced = r.withNeg(List.of("대구", "인천")).toJsonLine();
    assertEquals(line.replace("[\"부산\"]", "[\"대구\",\"인천\"]"), replaced);
  }

  @Test
  void scoresAreAddedRemovedAndMustAlign() {
    TrainRecord r = good(reader.parse("f", 1, "{\"query\":\"q\",\"pos\":[\"p\"],\"neg\":[\"n1\",\"n2\"]}"));
    TrainRecord s = r.withScores(List.of(0.5f), List.of(0.25f, 0.125f));
    assertEquals(List.of(0.5f), s.posScores());
    assertEquals(List.of(0.25f, 0.125f), s.negScores());
    assertEquals(r, s.withoutScores());
    assertThrows(IllegalArgumentException.class, () -> r.withScores(List.of(0.5f), List.of(0.25f)));
    assertThrows(IllegalArgumentException.class, () -> r.withScores(List.of(0.5f), List.of(0.25f, Float.NaN)));
  }

  @Test
  void negIsOptionalAndAppendedWhenAbsent() {
    TrainRecord r = good(reader.parse("f", 3, "{\"query\":\"q\",\"pos\":[\"p\"]}"));
    assertEquals(List.of(), r.neg());
    assertEquals("{\"query\":\"q\",\"pos\":[\"p\"],\"neg\":[\"n\"]}", r.withNeg(List.of("n")).toJsonLine());
  }

  @Test
  void reportsEachKindOfBadRecordWithFileLineAndField() {
    assertEquals("(line)", bad(reader.parse("f", 1, "{\"query\": ")).field());
    assertTrue(bad(reader.parse("f", 1, "{\"query\": ")).reason().startsWith("malformed JSON"));
    assertTrue(bad(reader.parse("f", 1, "[1,2]")).reason().contains("must be a JSON object, got a list"));
    assertEquals("query missing", describeTail(reader.parse("f", 4, "{\"pos\":[\"p\"]}")));
    assertEquals("query must be a string, got a number", describeTail(reader.parse("f", 4, "{\"query\":1,\"pos\":[\"p\"]}")));
    BadTrainRecord stringPos = bad(reader.parse("data.jsonl", 9, "{\"query\":\"q\",\"pos\":\"a passage\"}"));
    assertEquals("data.jsonl", stringPos.file());
    assertEquals(9, stringPos.line());
    assertEquals("pos", stringPos.field());
    assertEquals("pos must be a list of strings, got a string — FlagEmbedding would split it into characters (#1194)",
        stringPos.reason());
    assertEquals("data.jsonl:9: pos: " + stringPos.reason(), stringPos.describe());
    assertTrue(bad(reader.parse("f", 1, "{\"query\":\"q\",\"pos\":[]}")).reason().startsWith("empty"));
    assertEquals("pos item 1 must be a string, got a number",
        describeTail(reader.parse("f", 1, "{\"query\":\"q\",\"pos\":[\"a\",2]}")));
    assertEquals("neg must be a list of strings, got a string",
        describeTail(reader.parse("f", 1, "{\"query\":\"q\",\"pos\":[\"a\"],\"neg\":\"b\"}")));
    assertEquals("neg item 0 must be a string, got null",
        describeTail(reader.parse("f", 1, "{\"query\":\"q\",\"pos\":[\"a\"],\"neg\":[null]}")));
  }

  @Test
  void scoresAreCheckedOnlyWhenRequired() {
    String misaligned = "{\"query\":\"q\",\"pos\":[\"p\"],\"neg\":[\"n\"],\"pos_scores\":[1.0],\"neg_scores\":[1.0,2.0]}";
    good(reader.parse("f", 1, misaligned));
    assertEquals("neg_scores has 2 values but neg has 1 texts (must align 1:1)", describeTail(scored.parse("f", 1, misaligned)));
    assertEquals("pos_scores item 0 must be a number, got a string",
        describeTail(scored.parse("f", 1, "{\"query\":\"q\",\"pos\":[\"p\"],\"pos_scores\":[\"x\"],\"neg_scores\":[]}")));
    assertEquals("pos_scores missing; knowledge distillation needs teacher scores — score the data with a reranker first",
        describeTail(scored.parse("f", 1, "{\"query\":\"q\",\"pos\":[\"p\"]}")));
    TrainRecord ok = good(scored.parse("f", 1,
        "{\"query\":\"q\",\"pos\":[\"p\"],\"neg\":[\"n\"],\"pos_scores\":[1],\"neg_scores\":[-0.5]}"));
    assertEquals(List.of(-0.5f), ok.negScores());
  }

  @Test
  void fileReaderSkipsBlankLinesButCountsThem(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("in.jsonl");
    Files.writeString(file, "\uFEFF{\"query\":\"a\",\"pos\":[\"p\"]}\n\n   \n{\"query\":\"b\",\"pos\":\"p\"}\n"
        + "{\"query\":\"c\",\"pos\":[\"p\"]}", StandardCharsets.UTF_8);
    List<ParsedLine> lines = new ArrayList<>();
    try (TrainRecordFile in = TrainRecordFile.open(file, reader)) {
      in.forEachRemaining(lines::add);
      assertEquals(5, in.linesRead());
    }
    assertEquals(3, lines.size());
    assertEquals("a", good(lines.get(0)).query());
    assertEquals(1, lines.get(0).line());
    assertEquals(4, bad(lines.get(1)).line());
    assertEquals(5, lines.get(2).line());
  }

  @Test
  void aRepeatedKeyIsABadRecordNotTheLastValue() {
    BadTrainRecord b = bad(reader.parse("f", 3, "{\"query\":\"q\",\"pos\":[\"p\"],\"query\":\"other\"}"));
    assertEquals(3, b.line());
    assertTrue(b.reason().contains("Duplicate field 'query'"), b.reason());
  }

  @Test
  void invalidUtf8InAFileIsABadRecordOnItsOwnLine(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("in.jsonl");
    String good = "{\"query\":\"a\",\"pos\":[\"p\"]}\r\n";
    byte[] head = good.repeat(3000).getBytes(StandardCharsets.UTF_8);
    byte[] broken = "{\"query\":\"caf\u00e9\",\"pos\":[\"p\"]}\n".getBytes(StandardCharsets.UTF_8);
    broken[14] = (byte) 0x41; // the continuation byte of é replaced: C3 41 is not UTF-8
    byte[] all = new byte[head.length + broken.length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(broken, 0, all, head.length, broken.length);
    Files.write(file, all);
    List<ParsedLine> lines = new ArrayList<>();
    try (TrainRecordFile in = TrainRecordFile.open(file, reader)) {
      in.forEachRemaining(lines::add);
    }
    assertEquals(3001, lines.size());
    BadTrainRecord b = bad(lines.get(3000));
    assertEquals(3001, b.line());
    assertEquals("invalid UTF-8 at byte 13", b.reason());
    assertEquals("a", good(lines.get(2999)).query());
  }

  @Test
  void recordsSurviveJavaSerialization() throws Exception {
    TrainRecord r = good(reader.parse("f", 1, "{\"query\":\"질문\",\"pos\":[\"p\"],\"x\":[1,{\"y\":null}]}"));
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
      out.writeObject(r);
    }
    try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(
        new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
      assertEquals(r.toJsonLine(), ((TrainRecord) in.readObject()).toJsonLine());
    }
  }

  @Test
  void blankLineIsBlank() {
    assertInstanceOf(ParsedLine.Blank.class, reader.parse("f", 2, "  "));
  }

  private static String describeTail(ParsedLine p) {
    BadTrainRecord b = bad(p);
    return b.field() + " " + b.reason();
  }
}
