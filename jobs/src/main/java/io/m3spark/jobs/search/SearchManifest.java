package io.m3spark.jobs.search;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * {@code _search.json}: what a search output was made from (its inputs, k, format, counts). Its presence is also what
 * marks a folder as a search output, the only kind {@code --overwrite} replaces ({@link SearchArgs#outputRule}).
 */
final class SearchManifest {
  static final String NAME = "_search.json";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private SearchManifest() {}

  static void write(FileSystem fs, Path file, SearchArgs args, long queries, long corpusSize) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("corpus_embeddings", args.corpusEmbeddings);
    root.put("query_embeddings", args.queryEmbeddings);
    root.put("top_k", args.topK);
    root.put("output_format", args.outputFormat);
    root.put("results", SearchJob.RESULTS);
    root.put("queries", queries);
    root.put("corpus_size", corpusSize);
    try (OutputStream out = fs.create(file, false)) {
      JSON.writeValue(out, root);
    }
  }
}
