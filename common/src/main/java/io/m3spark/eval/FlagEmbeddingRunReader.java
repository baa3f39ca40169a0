package io.m3spark.eval;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.m3spark.io.StrictJson;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * Streams FlagEmbedding's search-results file ({@code {"eval_name": ..., "search_results": {qid: {docid: score}}}})
 * with Jackson's token parser, one query object at a time. The other top-level fields are skipped. Python's
 * {@code json} would keep the last of two equal keys; a repeated qid or docid (or any repeated key: {@link StrictJson})
 * is an error here instead.
 */
public final class FlagEmbeddingRunReader implements RunReader {
  private final Path file;
  private final JsonParser p;
  private final Set<String> seen = new HashSet<>();
  private boolean inResults;
  private boolean done;

  public FlagEmbeddingRunReader(Path file) throws IOException {
    this.file = file;
    this.p = StrictJson.READER.createParser(file.toFile());
  }

  @Override
  public QueryRun next() throws IOException {
    try {
      if (done) {
        return null;
      }
      if (!inResults) {
        seekResults();
      }
      JsonToken t = p.nextToken();
      if (t == JsonToken.END_OBJECT) {
        done = true;
        return null;
      }
      String qid = p.getCurrentName();
      if (!seen.add(qid)) {
        throw error("qid '" + qid + "' appears twice in search_results");
      }
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw error("search_results['" + qid + "']: expected an object {docid: score}");
      }
      QueryRunBuilder query = new QueryRunBuilder(file, qid);
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String docid = p.getCurrentName();
        JsonToken v = p.nextToken();
        if (v != JsonToken.VALUE_NUMBER_FLOAT && v != JsonToken.VALUE_NUMBER_INT) {
          throw error("search_results['" + qid + "']['" + docid + "']: expected a number score, got " + p.getText());
        }
        query.add(docid, p.getDoubleValue(), line());
      }
      return query.build();
    } catch (JsonParseException e) {
      throw new EvalInputException(file, e.getLocation() == null ? line() : e.getLocation().getLineNr(),
          "invalid JSON: " + e.getOriginalMessage());
    }
  }

  private void seekResults() throws IOException {
    if (p.nextToken() != JsonToken.START_OBJECT) {
      throw error("expected a JSON object with 'search_results'");
    }
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.getCurrentName();
      JsonToken value = p.nextToken();
      if (name.equals("search_results")) {
        if (value != JsonToken.START_OBJECT) {
          throw error("field 'search_results': expected an object {qid: {docid: score}}");
        }
        inResults = true;
        return;
      }
      p.skipChildren();
    }
    throw new EvalInputException(file, "no 'search_results' field: not a FlagEmbedding search-results file");
  }

  private long line() {
    return p.getCurrentLocation().getLineNr();
  }

  private EvalInputException error(String problem) {
    return new EvalInputException(file, line(), problem);
  }

  @Override
  public void close() throws IOException {
    p.close();
  }
}
