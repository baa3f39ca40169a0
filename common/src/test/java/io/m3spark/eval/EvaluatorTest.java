package io.m3spark.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hand-computed cases for ranking, metrics, averaging and query accounting. */
class EvaluatorTest {
  private static final double EPS = 1e-12;

  @TempDir
  Path dir;

  private Path file(String name, String... lines) throws IOException {
    return Files.write(dir.resolve(name), List.of(lines));
  }

  private Qrels qrels(String... lines) throws IOException {
    return QrelsReader.read(file("qrels.txt", lines), QrelsFormat.AUTO);
  }

  private final Map<String, QueryMetrics> perQuery = new HashMap<>();

  private EvaluationResult eval(EvaluationOptions options, Qrels qrels, Path run) throws IOException {
    return new Evaluator(options).evaluate(qrels, run, RunFormat.AUTO, q -> perQuery.put(q.qid(), q));
  }

  private static EvaluationOptions ks(Integer... ks) {
    return EvaluationOptions.defaults().withKValues(List.of(ks));
  }

  @Test
  void equalScoresAreRankedByDocidDescendingNotByTheRankColumn() throws IOException {
    Qrels q = qrels("q1 0 a 1");
    // rank column says a first; trec_eval ranks b (larger docid) first on the tie
    Path run = file("run.txt", "q1 Q0 a 1 0.5 t", "q1 Q0 b 2 0.5 t");
    EvaluationResult r = eval(ks(1, 2), q, run);
    assertEquals(0.0, r.metrics().get("precision_at_1"), EPS);
    assertEquals(0.5, r.metrics().get("mrr_at_2"), EPS);
    assertEquals(1 / (Math.log(3) / Math.log(2)), r.metrics().get("ndcg_at_2"), EPS);
  }

  @Test
  void flagEmbeddingCompatKeepsInputOrderOnTiesAndDividesByQrelsQueries() throws IOException {
    Qrels q = qrels("q1 0 a 1", "q2 0 x 1");
    Path run = file("run.txt", "q1 Q0 a 1 0.5 t", "q1 Q0 b 2 0.5 t");
    EvaluationResult r = eval(ks(1).withFlagEmbeddingCompat(true), q, run);
    assertEquals(1.0 / 2, r.metrics().get("mrr_at_1"), EPS); // a ranks first, 1 of 2 qrels queries
    assertEquals(1.0 / 2, r.metrics().get("recall_cap_at_1"), EPS);
    assertEquals(0.0, r.metrics().get("precision_at_1"), EPS); // pytrec metrics keep trec_eval's order and divisor
    assertEquals(1, r.counts().averagedOver());
  }

  @Test
  void gradedNdcgUsesLinearGainsAndAllJudgedDocumentsForTheIdeal() throws IOException {
    Qrels q = qrels("q1 0 a 3", "q1 0 b 1", "q1 0 c 0", "q1 0 z 2", "q1 0 n -1");
    Path run = file("run.txt", "q1 Q0 b 1 0.9 t", "q1 Q0 a 2 0.8 t", "q1 Q0 n 3 0.7 t", "q1 Q0 c 4 0.6 t");
    EvaluationResult r = eval(ks(3), q, run);
    double dcg = 1 / log2(2) + 3 / log2(3); // n (grade -1) and c (0) add nothing
    double idcg = 3 / log2(2) + 2 / log2(3) + 1 / log2(4); // z is judged but not retrieved
    assertEquals(dcg / idcg, r.metrics().get("ndcg_at_3"), EPS);
    assertEquals(2.0 / 3, r.metrics().get("recall_at_3"), EPS); // relevant: a, b, z
    assertEquals((1.0 / 1 + 2.0 / 2) / 3, r.metrics().get("map_at_3"), EPS);
  }

  @Test
  void relevanceLevelMakesLowGradesNonRelevantButKeepsTheirGain() throws IOException {
    Qrels q = qrels("q1 0 a 1", "q1 0 b 2");
    Path run = file("run.txt", "q1 Q0 a 1 0.9 t", "q1 Q0 b 2 0.8 t");
    EvaluationResult r = eval(ks(2).withRelevanceLevel(2), q, run);
    assertEquals(0.5, r.metrics().get("mrr_at_2"), EPS);
    assertEquals(1.0, r.metrics().get("recall_at_2"), EPS);
    assertEquals((1 / log2(2) + 2 / log2(3)) / (2 / log2(2) + 1 / log2(3)), r.metrics().get("ndcg_at_2"), EPS);
  }

  @Test
  void kBeyondTheRunKeepsTheDivisorK() throws IOException {
    Qrels q = qrels("q1 0 a 1", "q1 0 b 1", "q1 0 c 1");
    Path run = file("run.txt", "q1 Q0 a 1 0.9 t", "q1 Q0 x 2 0.8 t");
    EvaluationResult r = eval(ks(10), q, run);
    assertEquals(0.1, r.metrics().get("precision_at_10"), EPS);
    assertEquals(1.0 / 3, r.metrics().get("recall_at_10"), EPS);
    assertEquals(1.0 / 3, r.metrics().get("recall_cap_at_10"), EPS);
    assertEquals(1.0 / 3, r.metrics().get("map_at_10"), EPS);
  }

  @Test
  void recallCapDividesByKWhenThereAreMoreRelevantThanK() throws IOException {
    Qrels q = qrels("q1 0 a 1", "q1 0 b 1", "q1 0 c 1");
    Path run = file("run.txt", "q1 Q0 a 1 0.9 t", "q1 Q0 x 2 0.8 t");
    EvaluationResult r = eval(ks(2), q, run);
    assertEquals(0.5, r.metrics().get("recall_cap_at_2"), EPS);
  }

  @Test
  void onlyZeroGradesScoreZeroAreCountedAndStayInTheAverage() throws IOException {
    Qrels q = qrels("q1 0 a 1", "q2 0 b 0", "q2 0 c 0");
    Path run = file("run.txt", "q1 Q0 a 1 0.9 t", "q2 Q0 b 1 0.9 t");
    EvaluationResult r = eval(ks(1).withFlagEmbeddingCompat(true), q, run);
    assertEquals(1, r.counts().withoutRelevant());
    assertEquals(0.0, perQuery.get("q2").get("recall_cap_at_1"), EPS);
    assertEquals(0.5, r.metrics().get("ndcg_at_1"), EPS);
    assertEquals(0.5, r.metrics().get("recall_cap_at_1"), EPS);
  }

  @Test
  void queriesMissingOnEitherSideAreCountedNotAveraged() throws IOException {
    Qrels q = qrels("q1 0 a 1", "q2 0 b 1");
    Path run = file("run.txt", "q1 Q0 a 1 0.9 t", "q9 Q0 b 1 0.9 t");
    EvaluationResult r = eval(ks(1), q, run);
    assertEquals(new QueryCounts(2, 1, 1, 1, 0, 1), r.counts());
    assertEquals(1.0, r.metrics().get("ndcg_at_1"), EPS);

    perQuery.clear();
    EvaluationResult complete = eval(ks(1).withCompleteQueries(true), q, run);
    assertEquals(new QueryCounts(2, 1, 1, 1, 0, 2), complete.counts());
    assertEquals(0.5, complete.metrics().get("ndcg_at_1"), EPS);
    assertEquals(0.0, perQuery.get("q2").get("ndcg_at_1"), EPS);
  }

  @Test
  void emptyRunsScoreZeroWithoutCrashing() throws IOException {
    Qrels q = qrels("q1 0 a 1");
    EvaluationResult empty = eval(ks(1), q, file("empty.txt"));
    assertEquals(new QueryCounts(1, 0, 0, 1, 0, 0), empty.counts());
    assertEquals(0.0, empty.metrics().get("ndcg_at_1"), EPS);

    Path noHits = file("run.jsonl", "{\"qid\": \"q1\", \"hits\": []}");
    EvaluationResult r = eval(ks(1), q, noHits);
    assertEquals(1, r.counts().evaluated());
    assertEquals(0.0, r.metrics().get("recall_at_1"), EPS);
  }

  @Test
  void theThreeRunFormatsGiveTheSameResult() throws IOException {
    Qrels q = qrels("{\"qid\": \"1\", \"docid\": \"d1\", \"relevance\": 1}",
        "{\"qid\": \"1\", \"docid\": \"d3\", \"relevance\": 2}", "{\"qid\": 2, \"docid\": \"d2\", \"relevance\": 1}");
    Path trec = file("run.trec", "1 Q0 d1 1 0.9 t", "1 Q0 d2 2 0.5 t", "1 Q0 d3 3 0.1 t", "2 Q0 d2 1 3 t");
    Path jsonl = file("run.jsonl",
        "{\"qid\": \"1\", \"hits\": [{\"docid\": \"d1\", \"score\": 0.9}, {\"docid\": \"d2\", \"score\": 0.5},"
            + " {\"docid\": \"d3\", \"score\": 0.1}]}",
        "{\"qid\": \"2\", \"hits\": [{\"docid\": \"d2\", \"score\": 3}]}");
    Path fe = file("test.json", "{", "  \"eval_name\": \"x\", \"model_name\": \"bge-m3\", \"split\": \"test\",",
        "  \"search_results\": {\"1\": {\"d1\": 0.9, \"d2\": 0.5, \"d3\": 0.1}, \"2\": {\"d2\": 3}}", "}");
    Map<String, Double> expected = eval(ks(1, 3), q, trec).metrics();
    assertEquals(expected, eval(ks(1, 3), q, jsonl).metrics());
    assertEquals(expected, eval(ks(1, 3), q, fe).metrics());
    assertEquals(RunFormat.FLAGEMBEDDING, RunFormatDetector.resolve(fe, RunFormat.AUTO));
    assertEquals(RunFormat.JSONL, RunFormatDetector.resolve(jsonl, RunFormat.AUTO));
    assertEquals(RunFormat.TREC, RunFormatDetector.resolve(trec, RunFormat.AUTO));
  }

  @Test
  void aFolderOfPartFilesIsOneRun() throws IOException {
    Qrels q = qrels("1 0 d1 1", "2 0 d2 1", "3 0 d3 1");
    Path whole = file("run.jsonl", "{\"qid\": \"1\", \"hits\": [{\"docid\": \"d1\", \"score\": 0.9}]}",
        "{\"qid\": \"2\", \"hits\": [{\"docid\": \"d9\", \"score\": 0.8}, {\"docid\": \"d2\", \"score\": 0.1}]}",
        "{\"qid\": \"3\", \"hits\": []}");
    List<String> lines = Files.readAllLines(whole);
    Path results = Files.createDirectories(dir.resolve("search-output").resolve("results"));
    Files.write(results.resolve("part-00000"), lines.subList(0, 2));
    Files.write(results.resolve("part-00001"), List.of());
    Files.write(results.resolve("part-00002"), lines.subList(2, 3));
    Files.writeString(results.resolve("_SUCCESS"), "");
    Map<String, Double> expected = eval(ks(1, 3), q, whole).metrics();
    assertEquals(expected, eval(ks(1, 3), q, results).metrics());
    assertEquals(expected, eval(ks(1, 3), q, results.getParent()).metrics());
    EvalInputException e = assertThrows(EvalInputException.class,
        () -> eval(ks(1), q, Files.createDirectories(dir.resolve("empty"))));
    assertTrue(e.getMessage().contains("part-*"), e.getMessage());
  }

  @Test
  void anUngroupedRunIsPartitionedAndScoredLikeTheGroupedOne() throws IOException {
    List<String> qrelsLines = new ArrayList<>();
    List<String> grouped = new ArrayList<>();
    List<String> interleaved = new ArrayList<>();
    for (int d = 0; d < 20; d++) {
      for (int qid = 0; qid < 30; qid++) {
        interleaved.add("q" + qid + " Q0 d" + d + " " + d + " " + (1.0 / (d + 1 + qid % 3)) + " t");
      }
    }
    for (int qid = 0; qid < 30; qid++) {
      qrelsLines.add("q" + qid + " 0 d" + (qid % 7) + " " + (1 + qid % 2));
      for (int d = 0; d < 20; d++) {
        grouped.add("q" + qid + " Q0 d" + d + " " + d + " " + (1.0 / (d + 1 + qid % 3)) + " t");
      }
    }
    Qrels q = qrels(qrelsLines.toArray(String[]::new));
    Map<String, Double> expected =
        eval(ks(1, 5, 10), q, file("grouped.txt", grouped.toArray(String[]::new))).rounded();
    int[] restarts = {0};
    List<String> seen = new ArrayList<>();
    PerQueryListener listener = new PerQueryListener() {
      @Override
      public void accept(QueryMetrics m) {
        seen.add(m.qid());
      }

      @Override
      public void restart() {
        restarts[0]++;
        seen.clear();
      }
    };
    EvaluationResult r = new Evaluator(ks(1, 5, 10).withPartitionBytes(200))
        .evaluate(q, file("ungrouped.txt", interleaved.toArray(String[]::new)), RunFormat.TREC, listener);
    assertEquals(expected, r.rounded()); // same values; the sums only differ in query order
    assertEquals(1, restarts[0]);
    assertEquals(30, seen.size());
    assertEquals(30, r.counts().evaluated());
  }

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }
}
