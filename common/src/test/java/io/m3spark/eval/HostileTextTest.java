package io.m3spark.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Qrels and runs as careless tools write them: a byte-order mark, invalid UTF-8, a repeated JSON key. None may change a
 * score silently.
 */
class HostileTextTest {
  private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  @TempDir
  Path dir;

  private Path file(String name, boolean bom, String... lines) throws IOException {
    byte[] text = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[(bom ? BOM.length : 0) + text.length];
    if (bom) {
      System.arraycopy(BOM, 0, out, 0, BOM.length);
    }
    System.arraycopy(text, 0, out, out.length - text.length, text.length);
    return Files.write(dir.resolve(name), out);
  }

  private double ndcg10(Path qrels, Path run) throws IOException {
    EvaluationResult r = new Evaluator(EvaluationOptions.defaults().withKValues(List.of(10)))
        .evaluate(QrelsReader.read(qrels, QrelsFormat.AUTO), run, RunFormat.AUTO, PerQueryListener.NONE);
    return r.metrics().get("ndcg_at_10");
  }

  @Test
  void aByteOrderMarkChangesNoScore() throws IOException {
    String[] trecQrels = {"q1 0 a 1", "q2 0 b 1"};
    String[] jsonQrels = {"{\"qid\": \"q1\", \"docid\": \"a\", \"relevance\": 1}",
        "{\"qid\": \"q2\", \"docid\": \"b\", \"relevance\": 1}"};
    String[] trecRun = {"q1 Q0 a 1 0.9 t", "q1 Q0 c 2 0.5 t", "q2 Q0 b 1 0.8 t", "q2 Q0 a 2 0.1 t"};
    String[] jsonRun = {"{\"qid\": \"q1\", \"hits\": [{\"docid\": \"a\", \"score\": 0.9}]}",
        "{\"qid\": \"q2\", \"hits\": [{\"docid\": \"b\", \"score\": 0.8}]}"};
    for (boolean qrelsBom : new boolean[] {false, true}) {
      for (boolean runBom : new boolean[] {false, true}) {
        String which = "qrels BOM " + qrelsBom + ", run BOM " + runBom;
        assertEquals(1.0, ndcg10(file("q.txt", qrelsBom, trecQrels), file("r.txt", runBom, trecRun)), which);
        assertEquals(1.0, ndcg10(file("q.jsonl", qrelsBom, jsonQrels), file("r.jsonl", runBom, jsonRun)), which);
      }
    }
    assertEquals(List.of("q1", "q2"), List.copyOf(QrelsReader.read(file("q.txt", true, trecQrels), QrelsFormat.TREC)
        .queryIds()));
  }

  @Test
  void invalidUtf8IsAnErrorWithFileAndLine() throws IOException {
    // Far enough down that a decoding reader's buffer would fail before the line, not on it.
    StringBuilder filler = new StringBuilder();
    for (int i = 0; i < 2000; i++) {
      filler.append("q0 0 d").append(i).append(" 1\n");
    }
    Path qrels = dir.resolve("qrels.txt");
    byte[] bad = "q1 0 caf\u00e9 1\n".getBytes(StandardCharsets.UTF_8);
    bad[bad.length - 4] = (byte) 0xE9; // Latin-1 é in place of the second byte of UTF-8 é
    Files.write(qrels, (filler + new String(bad, StandardCharsets.ISO_8859_1)).getBytes(StandardCharsets.ISO_8859_1));
    IOException e = assertThrows(IOException.class, () -> QrelsReader.read(qrels, QrelsFormat.TREC));
    assertTrue(e.getMessage().startsWith(qrels + ":2001: invalid UTF-8 at byte 8"), e.getMessage());

    Path run = dir.resolve("run.txt");
    Files.write(run, new byte[] {'q', '1', ' ', 'Q', '0', ' ', (byte) 0xFF, ' ', '1', ' ', '1', ' ', 't', '\n'});
    Qrels judged = new Qrels(java.util.Map.of("q1", java.util.Map.of("a", 1)));
    e = assertThrows(IOException.class, () -> new Evaluator(EvaluationOptions.defaults()).evaluate(judged, run,
        RunFormat.TREC, PerQueryListener.NONE));
    assertTrue(e.getMessage().startsWith(run + ":1: invalid UTF-8 at byte 6"), e.getMessage());
  }

  @Test
  void aRepeatedJsonKeyIsAnError() throws IOException {
    Path qrels = file("dup.jsonl", false, "{\"qid\": \"q1\", \"docid\": \"a\", \"relevance\": 1}",
        "{\"qid\": \"q1\", \"docid\": \"b\", \"relevance\": 1, \"relevance\": 0}");
    EvalInputException e = assertThrows(EvalInputException.class, () -> QrelsReader.read(qrels, QrelsFormat.AUTO));
    assertTrue(e.getMessage().startsWith(qrels + ":2:") && e.getMessage().contains("Duplicate field 'relevance'"),
        e.getMessage());
    Path run = file("dup-run.jsonl", false, "{\"qid\": \"q1\", \"qid\": \"q2\", \"hits\": []}");
    Qrels judged = new Qrels(java.util.Map.of("q1", java.util.Map.of("a", 1)));
    e = assertThrows(EvalInputException.class, () -> new Evaluator(EvaluationOptions.defaults()).evaluate(judged, run,
        RunFormat.AUTO, PerQueryListener.NONE));
    assertTrue(e.getMessage().startsWith(run + ":1:") && e.getMessage().contains("Duplicate field 'qid'"),
        e.getMessage());
  }
}
