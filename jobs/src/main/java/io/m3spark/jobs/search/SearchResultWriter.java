package io.m3spark.jobs.search;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.m3spark.search.Hit;
import io.m3spark.search.QueryHits;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Writes search results in query order: JSONL lines {@code {"qid": ..., "hits": [{"docid": ..., "score": ...}]}} (the
 * format {@code m3spark eval-run} reads), or Parquet {@code qid string, hits array<struct<docid string, score float>>}.
 */
public final class SearchResultWriter {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final StructType HIT = DataTypes.createStructType(List.of(
      DataTypes.createStructField("docid", DataTypes.StringType, false),
      DataTypes.createStructField("score", DataTypes.FloatType, false)));
  private static final StructType SCHEMA = DataTypes.createStructType(List.of(
      DataTypes.createStructField("qid", DataTypes.StringType, false),
      DataTypes.createStructField("hits", DataTypes.createArrayType(HIT, false), false)));

  private SearchResultWriter() {}

  public static void write(SparkSession spark, JavaPairRDD<Long, QueryHits> results, String format, String path) {
    if (format.equals("parquet")) {
      spark.createDataFrame(results.values().map(SearchResultWriter::row), SCHEMA).write().parquet(path);
    } else {
      results.values().map(SearchResultWriter::jsonLine).saveAsTextFile(path);
    }
  }

  public static String jsonLine(QueryHits result) {
    ObjectNode node = JSON.createObjectNode();
    node.put("qid", result.qid());
    ArrayNode hits = node.putArray("hits");
    for (Hit h : result.hits()) {
      hits.addObject().put("docid", h.docid()).put("score", h.score());
    }
    try {
      return JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Row row(QueryHits result) {
    List<Row> hits = new ArrayList<>(result.hits().length);
    for (Hit h : result.hits()) {
      hits.add(RowFactory.create(h.docid(), h.score()));
    }
    return RowFactory.create(result.qid(), scala.collection.JavaConverters.asScalaBuffer(hits).toSeq());
  }
}
