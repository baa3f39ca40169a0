package io.m3spark.jobs.evaluate;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.m3spark.io.OutputFolder;
import io.m3spark.search.Hit;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One result row's folder, FlagEmbedding's layout (behaviour spec §5.5, §9.5):
 * {@code {output_dir}/{name}/NoReranker/{split}.json} (search results), {@code _cache_key.json} there (one key per
 * split), and {@code EVAL/eval_results.json} ({@code {split: {metric: value}}}) with
 * {@code EVAL/{split}_per_query.jsonl}. {@code name} is the model's folder name for dense retrieval, and
 * {@code {model}[mode]} for the other modes. Every file is written whole ({@link OutputFolder}), wherever
 * {@code output_dir} is stored.
 */
final class ResultsFolder {
  static final String RERANKER = "NoReranker";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  static final String EVAL_RESULTS = "EVAL/eval_results.json";

  private final String name;
  private final OutputFolder folder;

  ResultsFolder(OutputFolder outputDir, String name) {
    this.name = name;
    this.folder = outputDir.child(name).child(RERANKER);
  }

  String name() {
    return name;
  }

  private static String searchResults(String split) {
    return split + ".json";
  }

  private static String perQueryMetrics(String split) {
    return "EVAL/" + split + "_per_query.jsonl";
  }

  /** Where the search results of {@code split} are, for messages. */
  String searchResultsLocation(String split) {
    return folder.location() + "/" + searchResults(split);
  }

  boolean hasSearchResults(String split) throws IOException {
    return folder.exists(searchResults(split));
  }

  /** The search results of {@code split} as a local file to evaluate. */
  Path fetchSearchResults(String split) throws IOException {
    return folder.fetch(searchResults(split));
  }

  /** Where to write the per-query metrics of {@code split} before {@link #publishPerQueryMetrics}. */
  Path perQueryMetricsToWrite(String split) throws IOException {
    return folder.local(perQueryMetrics(split));
  }

  void publishPerQueryMetrics(String split) throws IOException {
    folder.publish(perQueryMetrics(split));
  }

  /** The stored cache keys by split (empty when there are none or they cannot be read). */
  Map<String, CacheKey> cacheKeys() {
    try {
      return folder.exists(CorpusEmbeddingCache.KEY_FILE)
          ? CacheKey.manyFromJson(new String(folder.read(CorpusEmbeddingCache.KEY_FILE), StandardCharsets.UTF_8))
          : new TreeMap<>();
    } catch (IOException e) {
      return new TreeMap<>();
    }
  }

  /** Writes the search results of one split, then records its key (last: a partial write leaves no valid cache). */
  void writeSearchResults(String evalName, String split, List<String> qids, Map<String, Hit[]> hits, CacheKey key)
      throws IOException {
    Map<String, CacheKey> keys = cacheKeys();
    keys.remove(split);
    folder.writeString(CorpusEmbeddingCache.KEY_FILE, CacheKey.toJson(keys));
    folder.write(searchResults(split), channel -> {
      try (JsonGenerator g = new JsonFactory().createGenerator(Channels.newOutputStream(channel), JsonEncoding.UTF8)) {
        g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET); // AtomicFiles closes the channel
        g.useDefaultPrettyPrinter();
        g.writeStartObject();
        g.writeStringField("eval_name", evalName);
        g.writeStringField("model_name", name);
        g.writeStringField("reranker_name", RERANKER);
        g.writeStringField("split", split);
        g.writeNullField("dataset_name");
        g.writeObjectFieldStart("search_results");
        for (String qid : qids) {
          g.writeObjectFieldStart(qid);
          for (Hit h : hits.getOrDefault(qid, new Hit[0])) {
            g.writeNumberField(h.docid(), h.score());
          }
          g.writeEndObject();
        }
        g.writeEndObject();
        g.writeEndObject();
      }
    });
    keys.put(split, key);
    folder.writeString(CorpusEmbeddingCache.KEY_FILE, CacheKey.toJson(keys));
  }

  /** Adds (or replaces) the metrics of the given splits in {@code EVAL/eval_results.json}, keeping other splits. */
  void writeEvalResults(Map<String, Map<String, Double>> bySplit) throws IOException {
    Map<String, Object> all = new TreeMap<>();
    if (folder.exists(EVAL_RESULTS)) {
      all.putAll(JSON.readValue(folder.read(EVAL_RESULTS), Map.class));
    }
    all.putAll(bySplit);
    folder.writeString(EVAL_RESULTS, JSON.writeValueAsString(all) + "\n");
  }
}
