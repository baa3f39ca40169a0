package io.m3spark.eval;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad qrels and runs fail with file:line and the field at fault. */
class BadInputTest {
  @TempDir
  Path dir;

  private void assertRunError(String name, String expected, String... lines) throws IOException {
    Path run = Files.write(dir.resolve(name), List.of(lines));
    Qrels qrels = new Qrels(java.util.Map.of("q1", java.util.Map.of("a", 1)));
    EvalInputException e = assertThrows(EvalInputException.class,
        () -> new Evaluator(EvaluationOptions.defaults()).evaluate(qrels, run, RunFormat.AUTO, PerQueryListener.NONE));
    assertTrue(e.getMessage().startsWith(run + ":") && e.getMessage().contains(expected), e.getMessage());
  }

  private void assertQrelsError(String expected, String... lines) throws IOException {
    Path file = Files.write(dir.resolve("qrels"), List.of(lines));
    EvalInputException e = assertThrows(EvalInputException.class, () -> QrelsReader.read(file, QrelsFormat.AUTO));
    assertTrue(e.getMessage().startsWith(file + ":") && e.getMessage().contains(expected), e.getMessage());
  }

  @Test
  void trecRuns() throws IOException {
    assertRunError("score.txt", ":2: field 5 (score): not a number: 'high'", "q1 Q0 a 1 0.5 t", "q1 Q0 b 2 high t");
    assertRunError("fields.txt", ":1: expected 6 fields", "q1 Q0 a 1 0.5");
    assertRunError("dup.txt", ":3: duplicate document 'a' for qid 'q1'", "q1 Q0 a 1 0.5 t", "q1 Q0 b 2 0.4 t",
        "q1 Q0 a 3 0.3 t");
  }

  @Test
  void duplicatesAreFoundInUngroupedRunsWithTheOriginalLine() throws IOException {
    assertRunError("dup-ungrouped.txt", ":3: duplicate document 'a' for qid 'q1'", "q1 Q0 a 1 0.5 t",
        "q2 Q0 b 1 0.4 t", "q1 Q0 a 2 0.3 t");
  }

  @Test
  void jsonRuns() throws IOException {
    assertRunError("bad.jsonl", ":2: field 'hits[1].score': expected a number", "{\"qid\": \"q1\", \"hits\": []}",
        "{\"qid\": \"q2\", \"hits\": [{\"docid\": \"a\", \"score\": 1}, {\"docid\": \"b\", \"score\": \"x\"}]}");
    assertRunError("twice.jsonl", ":2: qid 'q1' already has a result list on line 1",
        "{\"qid\": \"q1\", \"hits\": []}", "{\"qid\": \"q1\", \"hits\": []}");
    assertRunError("fe.json", ":3: search_results['q1']['a']: expected a number score", "{\"search_results\": {",
        "  \"q1\": {",
        "    \"a\": \"x\"}}}");
  }

  @Test
  void qrels() throws IOException {
    assertQrelsError(":2: field 4 (relevance): not an integer: '1.5'", "q1 0 a 1", "q1 0 b 1.5");
    assertQrelsError(":1: expected 4 fields", "q1 a 1");
    assertQrelsError(":2: duplicate judgement for qid 'q1', docid 'a'", "q1 0 a 1", "q1 0 a 0");
    assertQrelsError(":1: field 'relevance': expected an integer", "{\"qid\": \"q1\", \"docid\": \"a\", \"relevance\": 0.5}");
  }
}
