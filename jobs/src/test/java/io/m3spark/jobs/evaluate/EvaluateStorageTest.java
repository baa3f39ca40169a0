package io.m3spark.jobs.evaluate;

import static io.m3spark.jobs.testfs.TestStores.files;
import static io.m3spark.jobs.testfs.TestStores.on;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m3spark.cli.ArgParser;
import io.m3spark.jobs.TinyM3;
import io.m3spark.jobs.testfs.TestStores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code m3spark evaluate} with {@code --output_dir}, {@code --eval_output_path} and the dataset on {@code file:}
 * URIs and on the Hadoop test stores ({@code m3test://} with rename, {@code m3obj://} without): the same files, byte
 * for byte, as a run on plain paths, and a second run reuses the search results it finds on the store.
 */
class EvaluateStorageTest {
  private static SparkSession spark;
  @TempDir
  static Path dir;
  private static Path data;

  @BeforeAll
  static void start() throws IOException {
    spark = TestStores.localSession("evaluate-storage", 2);
    data = Files.createDirectories(dir.resolve("data"));
    List<String> corpus = new ArrayList<>();
    String[] topics = {"train tickets", "library cards", "tax returns", "dog licences", "parking permits",
        "passport photos"};
    for (int i = 0; i < topics.length; i++) {
      corpus.add("{\"id\": \"p" + i + "\", \"text\": \"How to apply for " + topics[i] + " at the city office.\"}");
    }
    Files.write(data.resolve("corpus.jsonl"), corpus);
    Files.write(data.resolve("dev_queries.jsonl"), List.of("{\"id\": \"a\", \"text\": \"getting a library card\"}",
        "{\"id\": \"b\", \"text\": \"renew my passport photo\"}", "{\"id\": \"c\", \"text\": \"file taxes\"}"));
    Files.write(data.resolve("dev_qrels.jsonl"), List.of(qrel("a", "p1"), qrel("b", "p5"), qrel("c", "p2")));
  }

  private static String qrel(String qid, String docid) {
    return "{\"qid\": \"" + qid + "\", \"docid\": \"" + docid + "\", \"relevance\": 1}";
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  private static EvaluateResult evaluate(String dataset, String out, String report) throws Exception {
    return EvaluateJob.run(spark, ArgParser.parse(EvaluateArgs.class, "--eval_name", "storage", "--dataset_dir",
        dataset, "--splits", "dev", "--output_dir", out, "--eval_output_path", report, "--search_top_k", "3",
        "--k_values", "1", "3", "--eval_metrics", "ndcg_at_3", "--embedder_query_max_length", "16",
        "--embedder_passage_max_length", "32", "--embedder_batch_size", "4", "--retrieval_mode", "dense", "sparse",
        "all", "--embedder_name_or_path", TinyM3.folder().toString()));
  }

  private static void assertSameFiles(Map<String, byte[]> want, Map<String, byte[]> got, String what) {
    assertEquals(want.keySet(), got.keySet(), what + ": the same files, no temporary left");
    want.forEach((name, bytes) -> assertArrayEquals(bytes, got.get(name), what + ": " + name));
  }

  @Test
  void everyStoreEndsUpHoldingWhatALocalRunWrites() throws Exception {
    EvaluateResult plain = evaluate(data.toString(), dir.resolve("plain").toString(),
        dir.resolve("plain-report/eval_results.md").toString());
    Map<String, byte[]> written = files(dir.resolve("plain"));
    for (String f : List.of("tiny-m3/NoReranker/dev.json", "tiny-m3/NoReranker/_cache_key.json",
        "tiny-m3/NoReranker/EVAL/eval_results.json", "tiny-m3/NoReranker/EVAL/dev_per_query.jsonl",
        "tiny-m3[sparse]/NoReranker/dev.json", "tiny-m3[all]/NoReranker/EVAL/eval_results.json")) {
      assertTrue(written.containsKey(f), f + " in " + written.keySet());
    }
    byte[] report = Files.readAllBytes(dir.resolve("plain-report/eval_results.md"));
    assertTrue(new String(report, java.nio.charset.StandardCharsets.UTF_8).contains("| tiny-m3[all] | NoReranker |"));

    for (String scheme : List.of("file", "m3test", "m3obj")) {
      Path out = dir.resolve("out-" + scheme);
      Path reportFile = dir.resolve("report-" + scheme + "/eval_results.md");
      EvaluateResult first = evaluate(on(scheme, data), on(scheme, out), on(scheme, reportFile));
      assertEquals(plain.results().get("tiny-m3[all]").get("dev").rounded(),
          first.results().get("tiny-m3[all]").get("dev").rounded(), scheme);
      assertSameFiles(written, files(out), scheme);
      assertArrayEquals(report, Files.readAllBytes(reportFile), scheme + ": the report");

      // the search results on the store are found, read back and scored again: nothing is embedded
      EvaluateResult again = evaluate(on(scheme, data), on(scheme, out), on(scheme, reportFile));
      assertEquals(0, again.passagesEmbedded(), scheme);
      assertEquals(0, again.queriesEmbedded(), scheme);
      assertEquals(first.results().get("tiny-m3").get("dev").rounded(),
          again.results().get("tiny-m3").get("dev").rounded(), scheme);
      assertSameFiles(written, files(out), scheme + ", second run");
    }
  }
}
