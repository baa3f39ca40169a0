package io.m3spark.search;

import io.m3spark.io.NpyReader;
import io.m3spark.model.M3Model;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Exact top-k throughput of the library ({@link ExactTopK} per shard, {@link TopKMerger} across shards) on the vectors
 * in {@code m3spark.bench.dir} ({@code corpus.npy}, {@code queries.npy}, written by {@code submit/bench-search}), with
 * libtorch limited to {@code m3spark.bench.threads} threads. Prints queries/s per (block, shard) setting, median of 3.
 * Not part of CI: run through {@code submit/bench-search}, which also times faiss on the same vectors.
 */
@EnabledIfSystemProperty(named = "m3spark.bench", matches = "true")
class SearchSpeedBench {

  @Test
  void searchSpeed() throws Exception {
    Path dir = Paths.get(System.getProperty("m3spark.bench.dir"));
    int k = Integer.getInteger("m3spark.bench.k", 200);
    M3Model.setNumThreads(Integer.getInteger("m3spark.bench.threads", 2));
    float[][] corpus = read(dir.resolve("corpus.npy"));
    float[][] queries = read(dir.resolve("queries.npy"));
    String[] docids = SearchData.ids("d", corpus.length);
    String[] qids = SearchData.ids("q", queries.length);
    int[][] settings = {{SearchOptions.DEFAULT_QUERY_BLOCK_SIZE, SearchOptions.DEFAULT_CORPUS_SHARD_SIZE},
        {1024, corpus.length}};
    for (int[] s : settings) {
      List<Double> rates = new ArrayList<>();
      for (int run = 0; run < 3; run++) {
        long start = System.nanoTime();
        SearchData.shardedSearch(docids, corpus, qids, queries, k, s[1], s[0]);
        rates.add(queries.length / ((System.nanoTime() - start) / 1e9));
      }
      rates.sort(Double::compare);
      System.out.printf(Locale.ROOT, "m3spark ExactTopK+TopKMerger: corpus %d x %d, %d queries, k=%d, block %d, "
          + "shard %d, %d threads: %.0f queries/s (median of 3; runs %s)%n", corpus.length, corpus[0].length,
          queries.length, k, s[0], s[1], M3Model.getNumThreads(), rates.get(1), rates);
    }
  }


  private static float[][] read(Path npy) throws Exception {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(npy), 1 << 20)) {
      return NpyReader.read(in);
    }
  }
}
