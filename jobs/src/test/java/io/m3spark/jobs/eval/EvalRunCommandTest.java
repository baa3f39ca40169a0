package io.m3spark.jobs.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.m3spark.cli.Cli;
import io.m3spark.cli.Commands;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code m3spark eval-run} end to end through the CLI, on files written to a temporary folder. */
class EvalRunCommandTest {
  @TempDir
  Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private Path qrels;
  private Path run;

  @BeforeEach
  void files() throws IOException {
    qrels = Files.write(dir.resolve("test_qrels.jsonl"), List.of(
        "{\"qid\": \"q1\", \"docid\": \"d1\", \"relevance\": 1}",
        "{\"qid\": \"q2\", \"docid\": \"d2\", \"relevance\": 1}",
        "{\"qid\": \"q3\", \"docid\": \"d3\", \"relevance\": 0}",
        "{\"qid\": \"q4\", \"docid\": \"d4\", \"relevance\": 1}"));
    // q1: d1 first; q2: d2 second; q3: no relevant document; q4: not searched; q9: no qrels
    run = Files.write(dir.resolve("bge-m3.trec"), List.of(
        "q1 Q0 d1 1 0.9 m", "q1 Q0 d2 2 0.8 m",
        "q2 Q0 d1 1 0.9 m", "q2 Q0 d2 2 0.8 m",
        "q3 Q0 d3 1 0.9 m",
        "q9 Q0 d1 1 0.9 m"));
  }

  private int run(String... args) {
    return new Cli(Commands.all()).run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void writesMarkdownPerQueryAndPrintsTheCounts() throws IOException {
    Path md = dir.resolve("out/eval_results.md");
    Path perQuery = dir.resolve("out/per_query.jsonl");
    int code = run("eval-run", "--qrels", qrels.toString(), "--run", run.toString(), "--k_values", "1", "10",
        "--eval_metrics", "mrr_at_10", "recall_at_1", "ndcg_at_5", "--eval_output_path", md.toString(),
        "--per_query_output", perQuery.toString());
    assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
    String summary = out.toString(StandardCharsets.UTF_8);
    assertTrue(summary.contains("mrr_at_10    0.50000"), summary); // (1 + 1/2 + 0) / 3
    assertTrue(summary.contains("recall_at_1  0.33333"), summary);
    assertTrue(summary.contains("ndcg_at_5    -  (k not in --k_values)"), summary);
    assertTrue(summary.contains("queries: 4 in qrels, 3 evaluated, averaged over 3"), summary);
    assertTrue(summary.contains("1 run queries without qrels: skipped"), summary);
    assertTrue(summary.contains("1 qrels queries not in the run: left out of the average"), summary);
    assertTrue(summary.contains("1 averaged queries without a relevant document"), summary);
    assertEquals("""
        ## mrr_at_10

        | Model | Reranker | average | test |
        | :---- | :---- | :---: | :---: |
        | bge-m3 | NoReranker | **50.000** | **50.000** |

        ## recall_at_1

        | Model | Reranker | average | test |
        | :---- | :---- | :---: | :---: |
        | bge-m3 | NoReranker | **33.333** | **33.333** |

        ## ndcg_at_5

        | Model | Reranker | average | test |
        | :---- | :---- | :---: | :---: |
        | bge-m3 | NoReranker | - | - |

        """, Files.readString(md));
    List<String> lines = Files.readAllLines(perQuery);
    assertEquals(3, lines.size());
    JsonNode q2 = new ObjectMapper().readTree(lines.get(1));
    assertEquals("q2", q2.get("qid").asText());
    assertEquals(0.5, q2.get("mrr_at_10").asDouble());
    assertEquals(12, q2.size() - 1); // 6 families x 2 cut-offs
    try (var files = Files.list(dir.resolve("out"))) {
      assertEquals(2, files.count(), "no temporary files left");
    }
  }

  @Test
  void jsonReportWithCompleteQueriesAndCompatMode() throws IOException {
    Path json = dir.resolve("eval_results.json");
    int code = run("eval-run", "--qrels", qrels.toString(), "--run", run.toString(), "--k_values", "10",
        "--eval_output_method", "json", "--eval_output_path", json.toString(), "--complete_queries",
        "--flagembedding_compat");
    assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
    JsonNode report = new ObjectMapper().readTree(json.toFile());
    assertEquals(6, report.size());
    assertEquals(0.375, report.get("mrr_at_10").asDouble()); // 1.5 / 4 qrels queries
    assertEquals(0.5, report.get("recall_at_10").asDouble()); // 2 / 4 with -c
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("scored 0 and averaged (--complete_queries)"));
  }

  @Test
  void reportsNeverReplaceTheRunOrTheQrels() throws IOException {
    byte[] qrelsBefore = Files.readAllBytes(qrels);
    byte[] runBefore = Files.readAllBytes(run);
    assertEquals(1, run("eval-run", "--qrels", qrels.toString(), "--run", run.toString(),
        "--eval_output_path", qrels.toString()));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("will not write it: it is --qrels"),
        err.toString(StandardCharsets.UTF_8));
    assertEquals(1, run("eval-run", "--qrels", qrels.toString(), "--run", run.toString(),
        "--eval_output_path", dir.resolve("r.md").toString(), "--per_query_output", run.toString()));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("will not write it: it is --run"));
    assertArrayEquals(qrelsBefore, Files.readAllBytes(qrels));
    assertArrayEquals(runBefore, Files.readAllBytes(run));
    assertTrue(Files.notExists(dir.resolve("r.md")));
  }

  @Test
  void badInputIsAFailureWithFileAndLine() throws IOException {
    Files.write(run, List.of("q1 Q0 d1 1 0.9 m", "q1 Q0 d2 2 x m"));
    assertEquals(1, run("eval-run", "--qrels", qrels.toString(), "--run", run.toString(),
        "--eval_output_path", dir.resolve("r.md").toString()));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains(run + ":2: field 5 (score): not a number: 'x'"),
        err.toString(StandardCharsets.UTF_8));
    assertTrue(Files.notExists(dir.resolve("r.md")));
  }

  @Test
  void unknownMetricIsAUsageError() {
    assertEquals(2, run("eval-run", "--qrels", "q", "--run", "r", "--eval_metrics", "ndcg@10"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("--eval_metrics: unknown metric 'ndcg@10'"));
  }
}
