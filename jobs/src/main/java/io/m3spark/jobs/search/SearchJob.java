package io.m3spark.jobs.search;

import io.m3spark.jobs.embed.OutputDirectory;
import io.m3spark.jobs.spark.TaskDevices;
import io.m3spark.search.QueryHits;
import java.io.IOException;
import java.util.Locale;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * {@code m3spark search}: exact top-k of every query of one {@code m3spark embed} output against the corpus of another
 * ({@link DistributedSearch}), written in query order to {@code --output/results} atomically (temporary folder renamed
 * when complete), with {@code --output/_search.json} ({@link SearchManifest}).
 */
public final class SearchJob {
  private static final Logger LOG = LoggerFactory.getLogger(SearchJob.class);
  static final String RESULTS = "results";

  private SearchJob() {}

  public static SearchResult run(SparkSession spark, SearchArgs args) throws IOException {
    long start = System.nanoTime();
    OutputDirectory output = OutputDirectory.prepare(args.outputRule(), args.overwrite,
        spark.sparkContext().hadoopConfiguration());
    LOG.info(TaskDevices.describe(spark.sparkContext(), args.devices));
    JavaRDD<Tuple2<String, float[]>> corpus =
        EmbeddingsFolder.read(spark, args.corpusEmbeddings, "--corpus_embeddings").persist(StorageLevel.MEMORY_AND_DISK());
    JavaRDD<Tuple2<String, float[]>> queries =
        EmbeddingsFolder.read(spark, args.queryEmbeddings, "--query_embeddings").persist(StorageLevel.MEMORY_AND_DISK());
    try {
      long corpusSize = corpus.count();
      long queryCount = queries.count();
      LOG.info("searching {} queries against {} documents, top {}", queryCount, corpusSize, args.topK);
      JavaPairRDD<Long, QueryHits> results =
          DistributedSearch.search(spark, corpus, queries, args.topK, args.options(), args.devices);
      output.createStaging();
      try {
        SearchResultWriter.write(spark, results, args.outputFormat, output.staged(RESULTS).toString());
        SearchManifest.write(output.fileSystem(), output.staged(SearchManifest.NAME), args, queryCount, corpusSize);
        output.commit();
      } catch (IOException | RuntimeException e) {
        output.abort();
        throw e;
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      LOG.info(String.format(Locale.ROOT, "searched %d queries in %.1f s (%.0f queries/s), wrote %s", queryCount,
          seconds, queryCount / seconds, output.target()));
      return new SearchResult(queryCount, corpusSize, args.topK, output.target().toString(), seconds);
    } finally {
      corpus.unpersist(false);
      queries.unpersist(false);
    }
  }
}
