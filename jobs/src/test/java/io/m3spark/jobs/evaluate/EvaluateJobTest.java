package io.m3spark.jobs.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.m3spark.cli.ArgParser;
import io.m3spark.eval.EvaluationOptions;
import io.m3spark.eval.EvaluationResult;
import io.m3spark.eval.Evaluator;
import io.m3spark.eval.PerQueryListener;
import io.m3spark.eval.QrelsFormat;
import io.m3spark.eval.QrelsReader;
import io.m3spark.eval.RunFormat;
import io.m3spark.model.EncodeOptions;
import io.m3spark.model.Embedding;
import io.m3spark.model.LoadOptions;
import io.m3spark.model.M3Model;
import io.m3spark.model.Scores;
import io.m3spark.search.Hit;
import io.m3spark.search.HitOrder;
import io.m3spark.search.RetrievalMode;
import io.m3spark.jobs.spark.SparkSessions;
import io.m3spark.jobs.TinyM3;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code m3spark evaluate} end to end: local Spark, the tiny-m3 model, a small evaluation set written here. */
class EvaluateJobTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_LENGTH = 32;
  private static final double[] WEIGHTS = {0.4, 0.2, 0.4};
  private static SparkSession spark;
  private static Path tinyM3;

  @TempDir
  Path dir;

  private static final List<String> PASSAGES = List.of(
      "The tax office issues business registration certificates.",
      "Visa applications are handled by the immigration office.",
      "Open a bank account with your passport and address.",
      "Health insurance covers hospital visits for residents.",
      "School enrolment starts in March for primary pupils.",
      "Lost certificates can be reissued online through the tax portal.",
      "Foreign residents must register their address within 14 days.",
      "A work visa requires a contract from a local employer.",
      "Bank transfers abroad need the recipient's SWIFT code.",
      "Vaccinations are free for children under twelve.",
      "University tuition can be paid in two instalments.",
      "Recycling is collected on Tuesdays and Fridays.");
  private static final List<String> QUERIES = List.of(
      "how do I get a business registration certificate",
      "what do I need for a work visa",
      "opening a bank account as a foreigner",
      "when does school start",
      "is vaccination free for kids");

  @BeforeAll
  static void start() {
    tinyM3 = TinyM3.folder();
    spark = SparkSessions.local("EvaluateJobTest", 2);
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  // ---- fixtures ----

  /** 12 passages (the first two with titles), 5 queries, graded qrels; q4 has no qrels, q9 is not among the queries. */
  private Path dataset(String split) throws IOException {
    Path data = Files.createDirectories(dir.resolve("data"));
    List<String> corpus = new ArrayList<>();
    for (int i = 0; i < PASSAGES.size(); i++) {
      String title = i < 2 ? ", \"title\": \"Guide " + i + "\"" : "";
      corpus.add("{\"id\": \"d" + i + "\", \"text\": \"" + PASSAGES.get(i) + "\"" + title + "}");
    }
    Files.write(data.resolve("corpus.jsonl"), corpus);
    List<String> queries = new ArrayList<>();
    for (int i = 0; i < QUERIES.size(); i++) {
      queries.add("{\"id\": \"q" + i + "\", \"text\": \"" + QUERIES.get(i) + "\"}");
    }
    Files.write(data.resolve(split + "_queries.jsonl"), queries);
    Files.write(data.resolve(split + "_qrels.jsonl"), List.of(
        qrel("q0", "d0", 2), qrel("q0", "d5", 1), qrel("q1", "d7", 2), qrel("q1", "d1", 1), qrel("q2", "d2", 1),
        qrel("q2", "d8", 1), qrel("q3", "d4", 1), qrel("q9", "d3", 1)));
    return data;
  }

  private static String qrel(String qid, String docid, int relevance) {
    return "{\"qid\": \"" + qid + "\", \"docid\": \"" + docid + "\", \"relevance\": " + relevance + "}";
  }

  private EvaluateArgs args(Path data, String split, int topK, List<String> models, String... extra) throws Exception {
    List<String> all = new ArrayList<>(List.of("--eval_name", "test-eval", "--dataset_dir", data.toString(),
        "--splits", split, "--output_dir", dir.resolve("out").toString(), "--search_top_k", Integer.toString(topK),
        "--k_values", "1", "3", "5", "--eval_metrics", "ndcg_at_3", "recall_at_5",
        "--eval_output_path", dir.resolve("eval_results.md").toString(),
        "--embedder_query_max_length", "32", "--embedder_passage_max_length", "32", "--embedder_batch_size", "8",
        "--weights_for_different_modes", "0.4", "0.2", "0.4", "--embedder_name_or_path"));
    all.addAll(models);
    all.addAll(List.of(extra));
    return ArgParser.parse(EvaluateArgs.class, all.toArray(String[]::new));
  }

  /** The written search results of a row, as ranked lists (docids in file order, best first). */
  private Map<String, List<Hit>> written(String row, String split) throws IOException {
    JsonNode root = JSON.readTree(dir.resolve("out").resolve(row).resolve("NoReranker").resolve(split + ".json")
        .toFile());
    assertEquals("test-eval", root.get("eval_name").asText());
    assertEquals(row, root.get("model_name").asText());
    assertEquals("NoReranker", root.get("reranker_name").asText());
    assertEquals(split, root.get("split").asText());
    Map<String, List<Hit>> out = new java.util.LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> q = root.get("search_results").fields(); q.hasNext(); ) {
      Map.Entry<String, JsonNode> e = q.next();
      List<Hit> hits = new ArrayList<>();
      e.getValue().fields().forEachRemaining(h -> hits.add(new Hit(h.getKey(), (float) h.getValue().asDouble())));
      out.put(e.getKey(), hits);
    }
    return out;
  }

  /** Brute-force reference: every query × passage scored with M3Model.encode + Scores. */
  private static final class Reference {
    final List<Embedding> queries;
    final List<Embedding> passages;

    Reference(Path modelFolder) throws IOException {
      try (M3Model model = M3Model.load(modelFolder, LoadOptions.defaults())) {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < PASSAGES.size(); i++) {
          texts.add(i < 2 ? "Guide " + i + " " + PASSAGES.get(i) : PASSAGES.get(i));
        }
        passages = model.encode(texts, EncodeOptions.all(MAX_LENGTH));
        queries = model.encode(QUERIES, EncodeOptions.all(MAX_LENGTH));
      }
    }

    double score(int q, int p, RetrievalMode mode) {
      Embedding a = queries.get(q);
      Embedding b = passages.get(p);
      return mode.score(Scores.dense(a.dense(), b.dense()), Scores.sparse(a.sparse(), b.sparse()),
          Scores.colbert(a.colbert(), b.colbert()), WEIGHTS);
    }

    /** The ranking of the given passages (all when null) for query q; sparse keeps only passages sharing a token. */
    List<Hit> ranking(int q, RetrievalMode mode, Set<String> among) {
      List<Hit> hits = new ArrayList<>();
      for (int p = 0; p < PASSAGES.size(); p++) {
        String docid = "d" + p;
        boolean shares = mode != RetrievalMode.SPARSE
            || queries.get(q).sparse().keySet().stream().anyMatch(passages.get(p).sparse()::containsKey);
        if ((among == null || among.contains(docid)) && shares) {
          hits.add(new Hit(docid, (float) score(q, p, mode)));
        }
      }
      hits.sort(HitOrder.INSTANCE);
      return hits;
    }
  }

  private static void assertSameRanking(List<Hit> expected, List<Hit> actual, String what) {
    assertEquals(expected.stream().map(Hit::docid).toList(), actual.stream().map(Hit::docid).toList(), what);
    for (int i = 0; i < expected.size(); i++) {
      assertEquals(expected.get(i).score(), actual.get(i).score(), 1e-4, what + " score at " + i);
    }
  }

  // ---- tests ----

  @Test
  void everyModeMatchesBruteForceAndMetricsMatchTheEvaluator() throws Exception {
    Path data = dataset("test");
    int topK = 4;
    EvaluateResult result = EvaluateJob.run(spark, args(data, "test", topK, List.of(tinyM3.toString()),
        "--retrieval_mode", "dense", "sparse", "colbert", "dense+sparse", "all"));
    Reference ref = new Reference(tinyM3);
    for (int q = 0; q < QUERIES.size(); q++) {
      String qid = "q" + q;
      List<Hit> dense = ref.ranking(q, RetrievalMode.DENSE, null).subList(0, topK);
      List<Hit> sparseAll = ref.ranking(q, RetrievalMode.SPARSE, null);
      List<Hit> sparse = sparseAll.subList(0, Math.min(topK, sparseAll.size()));
      assertSameRanking(dense, written("tiny-m3", "test").get(qid), "dense " + qid);
      assertSameRanking(sparse, written("tiny-m3[sparse]", "test").get(qid), "sparse " + qid);
      Set<String> union = new LinkedHashSet<>();
      dense.forEach(h -> union.add(h.docid()));
      sparse.forEach(h -> union.add(h.docid()));
      for (RetrievalMode mode : List.of(RetrievalMode.COLBERT, RetrievalMode.DENSE_SPARSE, RetrievalMode.ALL)) {
        List<Hit> expected = ref.ranking(q, mode, union);
        assertSameRanking(expected.subList(0, Math.min(topK, expected.size())),
            written("tiny-m3[" + mode.label() + "]", "test").get(qid), mode.label() + " " + qid);
      }
    }
    // Metrics: what the Evaluator computes on the written run, with every query group counted.
    var qrels = QrelsReader.read(data.resolve("test_qrels.jsonl"), QrelsFormat.JSONL);
    for (String row : List.of("tiny-m3", "tiny-m3[sparse]", "tiny-m3[colbert]", "tiny-m3[dense+sparse]",
        "tiny-m3[all]")) {
      Path folder = dir.resolve("out").resolve(row).resolve("NoReranker");
      EvaluationResult expected = new Evaluator(EvaluationOptions.defaults().withKValues(List.of(1, 3, 5)))
          .evaluate(qrels, folder.resolve("test.json"), RunFormat.FLAGEMBEDDING, PerQueryListener.NONE);
      assertEquals(expected.rounded(), result.results().get(row).get("test").rounded(), row);
      JsonNode stored = JSON.readTree(folder.resolve("EVAL").resolve("eval_results.json").toFile()).get("test");
      expected.rounded().forEach((k, v) -> assertEquals(v, stored.get(k).asDouble(), 0.0, row + " " + k));
      assertEquals(4, expected.counts().evaluated());
      assertEquals(1, expected.counts().runQueriesWithoutQrels());
      assertEquals(1, expected.counts().qrelsQueriesNotInRun());
      assertEquals(4, Files.readAllLines(folder.resolve("EVAL").resolve("test_per_query.jsonl")).size());
    }
    String md = Files.readString(dir.resolve("eval_results.md"));
    assertTrue(md.contains("## ndcg_at_3") && md.contains("| tiny-m3[all] | NoReranker |"), md);
  }

  @Test
  void denseAndSparseReturnTheFullRankingAndIgnoreIdenticalIdsDropsTheQuery() throws Exception {
    Path data = dataset("test");
    EvaluateJob.run(spark, args(data, "test", 100, List.of(tinyM3.toString()), "--retrieval_mode", "dense", "sparse"));
    Reference ref = new Reference(tinyM3);
    for (int q = 0; q < QUERIES.size(); q++) {
      assertSameRanking(ref.ranking(q, RetrievalMode.DENSE, null), written("tiny-m3", "test").get("q" + q), "dense");
      assertSameRanking(ref.ranking(q, RetrievalMode.SPARSE, null), written("tiny-m3[sparse]", "test").get("q" + q),
          "sparse");
    }
    // A corpus whose docids are query ids: with --ignore_identical_ids the query's own id never comes back.
    Files.writeString(data.resolve("corpus.jsonl"), Files.readString(data.resolve("corpus.jsonl"))
        .replace("\"d0\"", "\"q0\""));
    EvaluateJob.run(spark, args(data, "test", 100, List.of(tinyM3.toString()), "--ignore_identical_ids"));
    List<Hit> hits = written("tiny-m3", "test").get("q0");
    assertEquals(PASSAGES.size() - 1, hits.size());
    assertTrue(hits.stream().noneMatch(h -> h.docid().equals("q0")));
  }

  @Test
  void twoModelsShareOneTableAndCachesAreKeyedByWeightsNotFolderNames() throws Exception {
    Path data = dataset("test");
    Path modelA = copy(tinyM3, dir.resolve("models").resolve("model-a"));
    Path modelB = dir.resolve("models").resolve("model-b");
    try (M3Model m = M3Model.load(tinyM3, LoadOptions.defaults())) {
      for (Map.Entry<String, NDArray> p : m.parameters().entrySet()) {
        if (p.getKey().contains("word_embeddings")) {
          p.getValue().muli(-1.7f);
        }
      }
      m.save(modelB);
    }
    String cache = dir.resolve("embd").toString();
    List<String> models = List.of(modelA.toString(), modelB.toString());
    EvaluateResult first = EvaluateJob.run(spark, args(data, "test", 5, models, "--corpus_embd_save_dir", cache));
    assertEquals(2L * PASSAGES.size(), first.passagesEmbedded());
    String md = Files.readString(dir.resolve("eval_results.md"));
    assertTrue(md.contains("| model-a | NoReranker |") && md.contains("| model-b | NoReranker |"), md);
    assertTrue(md.contains("**"), md);
    assertTrue(Files.exists(dir.resolve("embd").resolve("model-a").resolve("_cache_key.json")));

    // Same inputs, same weights: nothing is embedded again.
    EvaluateResult second = EvaluateJob.run(spark, args(data, "test", 5, models, "--corpus_embd_save_dir", cache));
    assertEquals(0, second.passagesEmbedded());
    assertEquals(0, second.queriesEmbedded());
    assertEquals(first.results().get("model-a").get("test").rounded(),
        second.results().get("model-a").get("test").rounded());

    // Search results gone but corpus cache valid: only the queries are embedded.
    deleteTree(dir.resolve("out"));
    EvaluateResult third = EvaluateJob.run(spark, args(data, "test", 5, models, "--corpus_embd_save_dir", cache));
    assertEquals(0, third.passagesEmbedded());
    assertEquals(2L * QUERIES.size(), third.queriesEmbedded());

    // model-a retrained in place (B's weights under A's path): recomputed, and the numbers are B's.
    Map<String, List<Hit>> before = written("model-a", "test");
    copy(modelB, modelA);
    EvaluateResult retrained = EvaluateJob.run(spark, args(data, "test", 5, List.of(modelA.toString()),
        "--corpus_embd_save_dir", cache));
    assertEquals(PASSAGES.size(), retrained.passagesEmbedded());
    assertNotEquals(scores(before), scores(written("model-a", "test")));
    assertEquals(scores(written("model-b", "test")), scores(written("model-a", "test")));

    // --overwrite always recomputes.
    EvaluateResult overwritten = EvaluateJob.run(spark, args(data, "test", 5, List.of(modelA.toString()),
        "--corpus_embd_save_dir", cache, "--overwrite"));
    assertEquals(PASSAGES.size(), overwritten.passagesEmbedded());
  }

  @Test
  void theCorpusCacheNeverReplacesAModelOrAFolderItDidNotWrite() throws Exception {
    Path data = dataset("test");
    Path model = copy(tinyM3, dir.resolve("models").resolve("tiny-m3"));
    // the cache of a model goes to {corpus_embd_save_dir}/{model folder name}: here the model folder itself
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EvaluateJob.run(spark,
        args(data, "test", 5, List.of(model.toString()), "--corpus_embd_save_dir", dir.resolve("models").toString())));
    assertTrue(e.getMessage().contains("is --embedder_name_or_path " + model), e.getMessage());
    assertTrue(Files.exists(model.resolve("config.json")));

    Path foreign = Files.createDirectories(dir.resolve("caches").resolve("tiny-m3"));
    Files.writeString(foreign.resolve("notes.txt"), "keep");
    e = assertThrows(IllegalArgumentException.class, () -> EvaluateJob.run(spark,
        args(data, "test", 5, List.of(model.toString()), "--corpus_embd_save_dir", dir.resolve("caches").toString())));
    assertTrue(e.getMessage().contains("no _cache_key.json") && e.getMessage().contains("notes.txt"), e.getMessage());
    assertEquals("keep", Files.readString(foreign.resolve("notes.txt")));
  }

  @Test
  void anySplitNameWorks() throws Exception {
    Path data = dataset("dev-2024");
    EvaluateResult result = EvaluateJob.run(spark, args(data, "dev-2024", 5, List.of(tinyM3.toString()),
        "--eval_output_method", "json", "--eval_output_path", dir.resolve("r.json").toString()));
    assertEquals(4, result.results().get("tiny-m3").get("dev-2024").counts().evaluated());
    JsonNode report = JSON.readTree(dir.resolve("r.json").toFile());
    assertTrue(report.get("tiny-m3").get("NoReranker").get("dev-2024").has("ndcg_at_3"), report.toString());
  }

  @Test
  void badInputNamesFileAndLine() throws Exception {
    Path data = dataset("test");
    Files.write(data.resolve("test_qrels.jsonl"), List.of(qrel("q0", "d0", 1), qrel("q1", "d1", 1),
        "{\"qid\": \"q2\", \"docid\": \"d2\", \"relevance\": \"high\"}"));
    Exception e = assertThrows(IOException.class,
        () -> EvaluateJob.run(spark, args(data, "test", 5, List.of(tinyM3.toString()))));
    assertTrue(e.getMessage().contains("test_qrels.jsonl") && e.getMessage().contains(":3"), e.getMessage());

    Path other = dataset("test");
    Files.writeString(other.resolve("test_queries.jsonl"), "{\"id\": \"q0\", \"text\": \"fine\"}\n{\"id\": \"q1\"}\n");
    Exception missingText = assertThrows(IllegalArgumentException.class,
        () -> EvaluateJob.run(spark, args(other, "test", 5, List.of(tinyM3.toString()))));
    assertTrue(missingText.getMessage().contains("test_queries.jsonl:2"), missingText.getMessage());
    assertFalse(Files.exists(dir.resolve("out")));
  }

  // ---- helpers ----

  private static Map<String, List<Float>> scores(Map<String, List<Hit>> run) {
    Map<String, List<Float>> out = new java.util.TreeMap<>();
    run.forEach((q, hits) -> out.put(q, hits.stream().map(Hit::score).toList()));
    return out;
  }

  private static Path copy(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path f : files.toList()) {
        Files.copy(f, to.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
    return to;
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
