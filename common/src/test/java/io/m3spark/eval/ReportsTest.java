package io.m3spark.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportsTest {
  @TempDir
  Path dir;

  @Test
  void markdownHasFlagEmbeddingsLayout() {
    String md = new MarkdownReport(List.of("ndcg_at_10", "recall_at_100"))
        .add("bge-m3", "NoReranker", "test", Map.of("ndcg_at_10", 0.61234, "recall_at_100", 0.9))
        .add("my-m3-ft", "NoReranker", "test", Map.of("ndcg_at_10", 0.701235, "recall_at_100", 0.85))
        .add("my-m3-ft", "NoReranker", "dev", Map.of("ndcg_at_10", 0.5))
        .render();
    assertEquals("""
        ## ndcg_at_10

        | Model | Reranker | average | dev | test |
        | :---- | :---- | :---: | :---: | :---: |
        | bge-m3 | NoReranker | - | - | 61.234 |
        | my-m3-ft | NoReranker | **60.062** | **50.000** | **70.124** |

        ## recall_at_100

        | Model | Reranker | average | dev | test |
        | :---- | :---- | :---: | :---: | :---: |
        | bge-m3 | NoReranker | - | - | **90.000** |
        | my-m3-ft | NoReranker | - | - | 85.000 |

        """, md);
  }

  @Test
  void roundingIsPythons() {
    assertEquals(0.12346, Rounding.round5(0.123456));
    assertEquals(0.5, Rounding.round5(0.5));
    assertEquals(1.0E-5, Rounding.round5(0.0000125)); // binary value just below the half: down, as Python
  }

  @Test
  void perQueryJsonlIsCommittedAtomicallyAndRestartable() throws IOException {
    Path target = dir.resolve("per_query.jsonl");
    try (PerQueryJsonlWriter w = new PerQueryJsonlWriter(target)) {
      w.accept(new QueryMetrics("stale", List.of("ndcg_at_1"), new double[] {1}));
      w.restart();
      w.accept(new QueryMetrics("q\"1", List.of("ndcg_at_1", "mrr_at_1"), new double[] {0.123456, 0}));
      assertEquals(false, Files.exists(target));
      w.commit();
    }
    assertEquals(List.of("{\"qid\":\"q\\\"1\",\"ndcg_at_1\":0.12346,\"mrr_at_1\":0.0}"), Files.readAllLines(target));
    try (var files = Files.list(dir)) {
      assertEquals(1, files.count(), "no temporary file is left behind");
    }
  }
}
