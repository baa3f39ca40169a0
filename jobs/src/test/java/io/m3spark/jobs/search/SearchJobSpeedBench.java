package io.m3spark.jobs.search;

import io.m3spark.cli.ArgParser;
import io.m3spark.model.M3Model;
import io.m3spark.jobs.spark.SparkSessions;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Throughput of the whole {@code m3spark search} job (read dense.npy + ids.txt, shards × blocks, merge, JSONL write) on
 * local Spark with {@code m3spark.bench.threads} task slots, libtorch limited to as many threads, on the folders
 * {@code corpus/} and {@code queries/} of {@code m3spark.bench.dir}. Not part of CI: run through
 * {@code submit/bench-search}.
 */
@EnabledIfSystemProperty(named = "m3spark.bench", matches = "true")
class SearchJobSpeedBench {

  @Test
  void searchJobSpeed() throws Exception {
    Path dir = Paths.get(System.getProperty("m3spark.bench.dir"));
    int threads = Integer.getInteger("m3spark.bench.threads", 2);
    String k = System.getProperty("m3spark.bench.k", "200");
    M3Model.setNumThreads(threads);
    SparkSession spark = SparkSessions.local("SearchJobSpeedBench", threads);
    try {
      for (int run = 0; run < 2; run++) {
        SearchResult result = SearchJob.run(spark, ArgParser.parse(SearchArgs.class, "--corpus_embeddings",
            dir.resolve("corpus").toString(), "--query_embeddings", dir.resolve("queries").toString(), "--top_k", k,
            "--output", dir.resolve("search-out").toString(), "--overwrite"));
        System.out.printf(Locale.ROOT, "m3spark search job (local[%d], default block 512 x shard 65536, JSONL out): "
            + "%d queries x %d docs, k=%s: %.1f s, %.0f queries/s%n", threads, result.queries(), result.corpusSize(), k,
            result.seconds(), result.queries() / result.seconds());
      }
    } finally {
      spark.stop();
    }
  }
}
