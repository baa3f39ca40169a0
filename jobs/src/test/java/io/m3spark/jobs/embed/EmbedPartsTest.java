package io.m3spark.jobs.embed;

import io.m3spark.text.InstructionFormat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pieces of the embed job that need no Spark and no model. */
class EmbedPartsTest {

  private static final TextComposer PASSAGE = new TextComposer(false, null, "{}{}");

  @Test
  void instructionFormatFollowsPythonStrFormat() {
    assertEquals("Represent: what?", InstructionFormat.parse("{}{}").apply("Represent: ", "what?"));
    assertEquals("<instruct>I\n<query>q", InstructionFormat.parse("<instruct>{}\\n<query>{}").apply("I", "q"));
    assertEquals("q / I {x}", InstructionFormat.parse("{1} / {0} {{x}}").apply("I", "q"));
    assertThrows(IllegalArgumentException.class, () -> InstructionFormat.parse("{}{}{}"));
    assertThrows(IllegalArgumentException.class, () -> InstructionFormat.parse("{0}{}"));
    assertThrows(IllegalArgumentException.class, () -> InstructionFormat.parse("{name}"));
    assertThrows(IllegalArgumentException.class, () -> InstructionFormat.parse("oops }"));
  }

  @Test
  void passagesJoinTitleAndQueriesGetTheInstruction() {
    assertEquals("T body", PASSAGE.compose("body ", "T"));
    assertEquals("body ", PASSAGE.compose("body ", null));
    assertEquals("I: q", new TextComposer(true, "I: ", "{}{}").compose("q", "ignored title"));
    assertEquals("q", new TextComposer(true, null, "{}{}").compose("q", null));
  }

  @Test
  void batchesRespectTheTokenBudgetAndTheTextLimit() {
    TokenBudgetBatcher batcher = new TokenBudgetBatcher(3, 100);
    List<TokenBudgetBatcher.Batch> batches = batcher.batches(new int[] {200, 50, 40, 30, 10, 10, 10, 10, 2});
    assertEquals(List.of(new TokenBudgetBatcher.Batch(0, 1), new TokenBudgetBatcher.Batch(1, 3),
        new TokenBudgetBatcher.Batch(3, 6), new TokenBudgetBatcher.Batch(6, 9)), batches);
  }

  @Test
  void validatorNamesFieldAndReason() {
    assertEquals("text: only whitespace", problem("{\"id\": 1, \"text\": \"  \\t\"}"));
    assertEquals("text: missing", problem("{\"id\": \"a\"}"));
    assertEquals("text: null", problem("{\"id\": \"a\", \"text\": null}"));
    assertEquals("text: must be a string, not a number", problem("{\"id\": \"a\", \"text\": 5}"));
    assertEquals("id: missing", problem("{\"text\": \"x\"}"));
    assertEquals("id: must be a string or a number, not a boolean", problem("{\"id\": true, \"text\": \"x\"}"));
    assertEquals("line: not a JSON object but an array", problem("[1, 2]"));
    assertTrue(problem("{\"id\": 1, \"text\": \"x\"").startsWith("line: malformed JSON"));
    assertTrue(problem("{\"id\": 1, \"text\": \"x\"} {}").startsWith("line: malformed JSON"));
    assertTrue(problem("{\"id\": 1, \"text\": \"x\", \"text\": \"y\"}").startsWith("line: malformed JSON"));
    byte[] invalid = "{\"id\": 1, \"text\": \"ab\"}".getBytes(StandardCharsets.UTF_8);
    invalid[19] = (byte) 0xC3; // a lead byte followed by an ASCII byte
    assertEquals("line: invalid UTF-8 at byte 19", problem(invalid));
    assertNull(RecordValidator.fromJsonLine(0, new SourcePosition("f", 1, false), "  ".getBytes(), PASSAGE));
    TextRecord ok = RecordValidator.fromJsonLine(0, new SourcePosition("f", 1, false),
        "\uFEFF{\"id\": 12, \"title\": \"T\", \"text\": \"x\"}".getBytes(StandardCharsets.UTF_8), PASSAGE).good();
    assertEquals("12", ok.id());
    assertEquals("T x", ok.text());
  }

  private static String problem(String line) {
    return problem(line.getBytes(StandardCharsets.UTF_8));
  }

  private static String problem(byte[] line) {
    BadRecord bad = RecordValidator.fromJsonLine(0, new SourcePosition("f", 3, false), line, PASSAGE).bad();
    assertEquals("f:3", bad.position().toString());
    return bad.field() + ": " + bad.reason();
  }
}
