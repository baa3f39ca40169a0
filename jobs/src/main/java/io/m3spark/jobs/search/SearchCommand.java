package io.m3spark.jobs.search;

import io.m3spark.jobs.spark.SparkJobCommand;
import org.apache.spark.sql.SparkSession;

/** {@code m3spark search}: wires {@link SearchJob} into the command line. */
public final class SearchCommand extends SparkJobCommand<SearchArgs> {

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
  protected SearchResult run(SparkSession spark, SearchArgs args) throws Exception {
    return SearchJob.run(spark, args);
  }
}
