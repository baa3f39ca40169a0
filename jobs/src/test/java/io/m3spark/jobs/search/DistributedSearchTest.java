package io.m3spark.jobs.search;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.m3spark.cli.ArgParser;
import io.m3spark.io.NpyWriter;
import io.m3spark.jobs.embed.EmbedArgs;
import io.m3spark.jobs.embed.EmbedJob;
import io.m3spark.search.Hit;
import io.m3spark.search.QueryHits;
import io.m3spark.search.SearchOptions;
import io.m3spark.search.TopKMerger;
import io.m3spark.jobs.spark.SparkSessions;
import io.m3spark.jobs.TinyM3;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.Tuple2;

/** DistributedSearch and the search job on local Spark, compared with a brute-force double loop. */
class DistributedSearchTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static SparkSession spark;
  private static JavaSparkContext sc;

  @TempDir
  Path dir;

  @BeforeAll
  static void start() {
    spark = SparkSessions.local("DistributedSearchTest", 2);
    sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  // ---- data and reference ----

  /** Entries in {-2..2}: dot products are small integers, exact in fp32, so scores match bit for bit and ties abound. */
  private static List<Tuple2<String, float[]>> integerVectors(String prefix, int n, int dim, long seed) {
    Random random = new Random(seed);
    List<Tuple2<String, float[]>> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float[] v = new float[dim];
      for (int j = 0; j < dim; j++) {
        v[j] = random.nextInt(5) - 2;
      }
      rows.add(new Tuple2<>(prefix + i, v));
    }
    return rows;
  }

  private static List<QueryHits> bruteForce(List<Tuple2<String, float[]>> corpus, List<Tuple2<String, float[]>> queries,
      int k) {
    List<QueryHits> result = new ArrayList<>();
    for (Tuple2<String, float[]> q : queries) {
      Hit[] all = new Hit[corpus.size()];
      for (int d = 0; d < all.length; d++) {
        double dot = 0;
        for (int i = 0; i < q._2().length; i++) {
          dot += (double) q._2()[i] * corpus.get(d)._2()[i];
        }
        all[d] = new Hit(corpus.get(d)._1(), (float) dot);
      }
      result.add(new QueryHits(q._1(), TopKMerger.top(all, k)));
    }
    return result;
  }

  private static List<QueryHits> search(List<Tuple2<String, float[]>> corpus, int corpusPartitions,
      List<Tuple2<String, float[]>> queries, int queryPartitions, int k, int blockSize, int shardSize) {
    List<Tuple2<Long, QueryHits>> out = DistributedSearch.search(spark, sc.parallelize(corpus, corpusPartitions),
        sc.parallelize(queries, queryPartitions), k, new SearchOptions(blockSize, shardSize, false)).collect();
    for (int i = 0; i < out.size(); i++) {
      assertEquals(i, out.get(i)._1(), "results in query order");
    }
    return out.stream().map(Tuple2::_2).toList();
  }

  private static void assertSameResults(List<QueryHits> expected, List<QueryHits> actual) {
    assertEquals(expected.size(), actual.size());
    for (int i = 0; i < expected.size(); i++) {
      assertEquals(expected.get(i).qid(), actual.get(i).qid());
      assertArrayEquals(expected.get(i).hits(), actual.get(i).hits(), "query " + expected.get(i).qid());
    }
  }

  // ---- the library call ----

  @Test
  void equalsBruteForceForEveryShardingBlockingAndPartitioning() {
    List<Tuple2<String, float[]>> corpus = integerVectors("d", 301, 6, 11);
    List<Tuple2<String, float[]>> queries = integerVectors("q", 23, 6, 12);
    for (int k : new int[] {1, 7, 301, 500}) {
      List<QueryHits> expected = bruteForce(corpus, queries, k);
      assertSameResults(expected, search(corpus, 1, queries, 1, k, 1024, 32768));
      assertSameResults(expected, search(corpus, 3, queries, 2, k, 5, 40)); // uneven shards and blocks
      assertSameResults(expected, search(corpus, 4, queries, 3, k, 1, 301));
    }
  }

  @Test
  void oneQueryAndDuplicateVectorsTieByDocid() {
    List<Tuple2<String, float[]>> corpus = integerVectors("d", 30, 4, 13);
    float[] same = {2, 2, -2, 2}; // the highest score any {-2..2} vector can reach with this query
    for (String id : List.of("z", "b", "a10", "a9")) {
      corpus.add(new Tuple2<>(id, same.clone()));
    }
    List<Tuple2<String, float[]>> query = List.of(new Tuple2<>("q", new float[] {1, 1, -1, 1}));
    List<QueryHits> hits = search(corpus, 3, query, 1, 3, 1, 7);
    assertSameResults(bruteForce(corpus, query, 3), hits);
    assertEquals(List.of("a10", "a9", "b"), Stream.of(hits.get(0).hits()).map(Hit::docid).toList());
  }

  @Test
  void rejectsEmptyCorporaAndMismatchedDimensions() {
    List<Tuple2<String, float[]>> queries = integerVectors("q", 2, 4, 14);
    IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
        () -> search(List.of(), 1, queries, 1, 3, 8, 8));
    assertTrue(empty.getMessage().contains("corpus is empty"), empty.getMessage());
    IllegalArgumentException dims = assertThrows(IllegalArgumentException.class,
        () -> search(integerVectors("d", 5, 3, 15), 2, queries, 1, 3, 8, 8));
    assertTrue(dims.getMessage().contains("dimension 4") && dims.getMessage().contains("dimension 3"),
        dims.getMessage());
  }

  // ---- the job ----

  private static void writeNpyFolder(Path folder, List<Tuple2<String, float[]>> rows) throws IOException {
    Files.createDirectories(folder);
    try (OutputStream out = Files.newOutputStream(folder.resolve("dense.npy"));
        NpyWriter npy = new NpyWriter(out, rows.size(), rows.get(0)._2().length)) {
      for (Tuple2<String, float[]> r : rows) {
        npy.writeRow(r._2());
      }
    }
    Files.writeString(folder.resolve("ids.txt"),
        String.join("", rows.stream().map(r -> r._1() + "\n").toList()), StandardCharsets.UTF_8);
  }

  private static SearchArgs args(String... flags) throws Exception {
    return ArgParser.parse(SearchArgs.class, flags);
  }

  private static List<QueryHits> readJsonl(Path results) throws IOException {
    List<QueryHits> out = new ArrayList<>();
    try (Stream<Path> parts = Files.list(results)) {
      for (Path part : parts.filter(p -> p.getFileName().toString().startsWith("part-")).sorted().toList()) {
        for (String line : Files.readAllLines(part)) {
          JsonNode node = JSON.readTree(line);
          List<Hit> hits = new ArrayList<>();
          node.get("hits").forEach(h -> hits.add(new Hit(h.get("docid").asText(), (float) h.get("score").asDouble())));
          out.add(new QueryHits(node.get("qid").asText(), hits.toArray(Hit[]::new)));
        }
      }
    }
    return out;
  }

  @Test
  void jobReadsNpyFoldersAndWritesJsonlInQueryOrder() throws Exception {
    List<Tuple2<String, float[]>> corpus = integerVectors("d", 120, 8, 16);
    List<Tuple2<String, float[]>> queries = integerVectors("q", 9, 8, 17);
    writeNpyFolder(dir.resolve("corpus"), corpus);
    writeNpyFolder(dir.resolve("queries"), queries);
    SearchResult result = SearchJob.run(spark, args("--corpus_embeddings", dir.resolve("corpus").toString(),
        "--query_embeddings", dir.resolve("queries").toString(), "--top_k", "200", "--output",
        dir.resolve("out").toString(), "--corpus_shard_size", "50", "--query_block_size", "4"));
    assertEquals(9, result.queries());
    assertSameResults(bruteForce(corpus, queries, 200), readJsonl(dir.resolve("out").resolve(SearchJob.RESULTS)));
    assertTrue(Files.list(dir).noneMatch(p -> p.getFileName().toString().contains("_tmp-")), "no staging left");

    IllegalArgumentException exists = assertThrows(IllegalArgumentException.class, () -> SearchJob.run(spark,
        args("--corpus_embeddings", dir.resolve("corpus").toString(), "--query_embeddings",
            dir.resolve("queries").toString(), "--output", dir.resolve("out").toString())));
    assertTrue(exists.getMessage().contains("--overwrite"), exists.getMessage());
  }

  @Test
  void aNanVectorRanksLastForEveryQuery() throws Exception {
    List<Tuple2<String, float[]>> corpus = integerVectors("d", 40, 8, 20);
    corpus.get(3)._2()[5] = Float.NaN; // a NaN component makes every score of d3 NaN
    List<Tuple2<String, float[]>> queries = integerVectors("q", 6, 8, 21);
    writeNpyFolder(dir.resolve("corpus"), corpus);
    writeNpyFolder(dir.resolve("queries"), queries);
    Path ids = dir.resolve("corpus").resolve("ids.txt"); // as a Windows tool would rewrite it: BOM first
    Files.writeString(ids, "\uFEFF" + Files.readString(ids, StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    SearchJob.run(spark, args("--corpus_embeddings", dir.resolve("corpus").toString(), "--query_embeddings",
        dir.resolve("queries").toString(), "--top_k", "40", "--output", dir.resolve("out").toString(),
        "--corpus_shard_size", "16", "--query_block_size", "4"));
    List<QueryHits> results = readJsonl(dir.resolve("out").resolve(SearchJob.RESULTS));
    assertEquals(6, results.size());
    for (QueryHits q : results) {
      Hit[] hits = q.hits();
      assertEquals(40, hits.length);
      assertEquals("d3", hits[39].docid(), q.qid() + ": the NaN passage ranks last");
      assertEquals("d0", List.of(hits).stream().map(Hit::docid).filter(d -> d.startsWith("d0")).findFirst()
          .orElseThrow(), "ids.txt's first id is read without its BOM");
    }
    assertSameResults(bruteForce(corpus, queries, 5), search(corpus, 3, queries, 2, 5, 4, 16));
  }

  @Test
  void overwriteReplacesOnlyAnEarlierSearchOutputThatHoldsNoInput() throws Exception {
    writeNpyFolder(dir.resolve("corpus"), integerVectors("d", 20, 8, 21));
    writeNpyFolder(dir.resolve("queries"), integerVectors("q", 3, 8, 22));
    String corpus = dir.resolve("corpus").toString();
    String queries = dir.resolve("queries").toString();
    Path out = dir.resolve("out");
    SearchJob.run(spark, args("--corpus_embeddings", corpus, "--query_embeddings", queries, "--top_k", "2",
        "--output", out.toString()));
    assertTrue(Files.exists(out.resolve(SearchManifest.NAME)));
    SearchJob.run(spark, args("--corpus_embeddings", corpus, "--query_embeddings", queries, "--top_k", "5",
        "--output", out.toString(), "--overwrite"));
    assertEquals(5, readJsonl(out.resolve(SearchJob.RESULTS)).get(0).hits().length);

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SearchJob.run(spark,
        args("--corpus_embeddings", corpus, "--query_embeddings", queries, "--output", corpus, "--overwrite")));
    assertTrue(e.getMessage().contains("it is --corpus_embeddings " + corpus), e.getMessage());
    assertTrue(Files.exists(Path.of(corpus, "ids.txt")));

    Path foreign = Files.createDirectories(dir.resolve("foreign"));
    Files.writeString(foreign.resolve("keep.txt"), "x");
    e = assertThrows(IllegalArgumentException.class, () -> SearchJob.run(spark, args("--corpus_embeddings", corpus,
        "--query_embeddings", queries, "--output", foreign.toString(), "--overwrite")));
    assertTrue(e.getMessage().contains("no " + SearchManifest.NAME), e.getMessage());
    assertTrue(Files.exists(foreign.resolve("keep.txt")));
  }

  @Test
  void jobRejectsMissingFoldersAndDimensionMismatch() throws Exception {
    writeNpyFolder(dir.resolve("corpus"), integerVectors("d", 10, 8, 18));
    writeNpyFolder(dir.resolve("queries"), integerVectors("q", 3, 5, 19));
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> SearchJob.run(spark,
        args("--corpus_embeddings", dir.resolve("nope").toString(), "--query_embeddings",
            dir.resolve("queries").toString(), "--output", dir.resolve("out").toString())));
    assertTrue(missing.getMessage().contains("--corpus_embeddings") && missing.getMessage().contains("does not exist"),
        missing.getMessage());
    Files.createDirectories(dir.resolve("notembed"));
    IllegalArgumentException notEmbed = assertThrows(IllegalArgumentException.class, () -> SearchJob.run(spark,
        args("--corpus_embeddings", dir.resolve("notembed").toString(), "--query_embeddings",
            dir.resolve("queries").toString(), "--output", dir.resolve("out").toString())));
    assertTrue(notEmbed.getMessage().contains("m3spark embed"), notEmbed.getMessage());
    IllegalArgumentException dims = assertThrows(IllegalArgumentException.class, () -> SearchJob.run(spark,
        args("--corpus_embeddings", dir.resolve("corpus").toString(), "--query_embeddings",
            dir.resolve("queries").toString(), "--output", dir.resolve("out").toString())));
    assertTrue(dims.getMessage().contains("dimension 5") && dims.getMessage().contains("dimension 8"),
        dims.getMessage());
    assertTrue(Files.notExists(dir.resolve("out")));
  }

  /** Real model vectors: embed passages and queries with tiny-m3 (Parquet and JSONL outputs), search, compare. */
  @Test
  void realEmbeddingsFromTheEmbedJob() throws Exception {
    Path model = TinyM3.folder();
    StringBuilder passages = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      passages.append(JSON.writeValueAsString(Map.of("id", "p" + i, "text",
          "passage " + i + " about " + List.of("tax", "visa", "bank", "health", "school").get(i % 5) + " number "
              + (i * 7 % 13)))).append('\n');
    }
    passages.append(JSON.writeValueAsString(Map.of("id", "dup", "text", "passage 3 about bank number 8"))).append('\n');
    Files.writeString(dir.resolve("passages.jsonl"), passages.toString());
    StringBuilder queries = new StringBuilder();
    for (int i = 0; i < 12; i++) {
      queries.append(JSON.writeValueAsString(Map.of("id", "q" + i, "text",
          "question about " + List.of("tax", "visa", "bank").get(i % 3) + " " + i))).append('\n');
    }
    Files.writeString(dir.resolve("queries.jsonl"), queries.toString());
    EmbedJob.run(spark, ArgParser.parse(EmbedArgs.class, "--model_name_or_path", model.toString(), "--input",
        dir.resolve("passages.jsonl").toString(), "--output", dir.resolve("pe").toString(), "--max_length", "32"));
    EmbedJob.run(spark, ArgParser.parse(EmbedArgs.class, "--model_name_or_path", model.toString(), "--input",
        dir.resolve("queries.jsonl").toString(), "--output", dir.resolve("qe").toString(), "--max_length", "32",
        "--kind", "query", "--output_format", "jsonl"));

    List<Tuple2<String, float[]>> corpus = EmbeddingsFolder.read(spark, dir.resolve("pe").toString(), "c").collect();
    List<Tuple2<String, float[]>> query = EmbeddingsFolder.read(spark, dir.resolve("qe").toString(), "q").collect();
    assertEquals(41, corpus.size());
    List<QueryHits> expected = bruteForce(corpus, query, 10);
    List<QueryHits> actual = search(corpus, 3, query, 2, 10, 5, 16);
    for (int i = 0; i < expected.size(); i++) {
      Hit[] e = expected.get(i).hits();
      Hit[] a = actual.get(i).hits();
      for (int r = 0; r < e.length; r++) {
        assertEquals(e[r].score(), a[r].score(), 1e-5, "query " + i + " rank " + r);
        assertTrue(e[r].docid().equals(a[r].docid()) || Math.abs(e[r].score() - a[r].score()) < 1e-5);
      }
    }

    // The Parquet embeddings/ folder gives the same vectors as dense.npy (ids in some read order).
    Files.delete(dir.resolve("pe").resolve("dense.npy"));
    Map<String, float[]> fromParquet = new java.util.HashMap<>();
    EmbeddingsFolder.read(spark, dir.resolve("pe").toString(), "c").collect()
        .forEach(t -> fromParquet.put(t._1(), t._2()));
    corpus.forEach(t -> assertArrayEquals(t._2(), fromParquet.get(t._1())));

    // The job end to end, Parquet corpus and JSONL queries (dense.npy kept), Parquet output.
    Files.delete(dir.resolve("qe").resolve("dense.npy"));
    SearchJob.run(spark, args("--corpus_embeddings", dir.resolve("pe").toString(), "--query_embeddings",
        dir.resolve("qe").toString(), "--top_k", "10", "--output", dir.resolve("out").toString(),
        "--output_format", "parquet"));
    assertEquals(12, spark.read().parquet(dir.resolve("out").resolve(SearchJob.RESULTS).toString()).count());
  }
}
