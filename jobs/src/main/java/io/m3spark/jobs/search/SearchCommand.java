package io.m3spark.jobs.search;

import io.m3spark.cli.Command;
import io.m3spark.jobs.spark.SparkSessions;
import org.apache.spark.sql.SparkSession;

/** {@code m3spark search}: wires {@link SearchJob} into the command line. */
public final class SearchCommand implements Command<SearchArgs> {

  @Override
  public String name() {
    return "search";
  }

  @Override
  public String summary() {
    return "exact top-k inner-product search of query embeddings against corpus embeddings";
  }

  @Override
  public Class<SearchArgs> argsType() {
    return SearchArgs.class;
  }

  @Override
  public SearchResult run(SearchArgs args) throws Exception {
    SparkSession spark = SparkSessions.getOrCreate("m3spark search");
    try {
      return SearchJob.run(spark, args);
    } finally {
      spark.stop();
    }
  }
}
