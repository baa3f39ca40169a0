package io.m3spark.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Streams our search output, one query per line: {@code {"qid": ..., "hits": [{"docid": ..., "score": ...}, ...]}}.
 * A line holds a whole query, so a qid on two lines is an error (it would be two different result lists), reported
 * with both line numbers. An empty {@code hits} list is a query that was searched and found nothing.
 */
public final class SearchJsonlRunReader implements RunReader {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private final BufferedReader in;
  /** qid → line, to name the first occurrence when a qid repeats. */
  private final Map<String, Long> seen = new HashMap<>();
  private long lineNo;

  public SearchJsonlRunReader(Path file) throws IOException {
    this.file = file;
    this.in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
  }

  @Override
  public QueryRun next() throws IOException {
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      lineNo++;
      if (!WhitespaceFields.isBlank(line)) {
        return parse(line);
      }
    }
    return null;
  }

  private QueryRun parse(String line) throws EvalInputException {
    JsonNode node;
    try {
      node = JSON.readTree(line);
    } catch (JsonProcessingException e) {
      throw new EvalInputException(file, lineNo, "not a JSON object: " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      throw new EvalInputException(file, lineNo, "not a JSON object");
    }
    String qid = QrelsReader.idField(file, lineNo, node, "qid");
    Long first = seen.putIfAbsent(qid, lineNo);
    if (first != null) {
      throw new EvalInputException(file, lineNo, "qid '" + qid + "' already has a result list on line " + first);
    }
    JsonNode hits = node.get("hits");
    if (hits == null || !hits.isArray()) {
      throw new EvalInputException(file, lineNo, "field 'hits': expected an array, got " + hits);
    }
    QueryRunBuilder query = new QueryRunBuilder(file, qid);
    for (int i = 0; i < hits.size(); i++) {
      JsonNode hit = hits.get(i);
      if (!hit.isObject()) {
        throw new EvalInputException(file, lineNo, "field 'hits[" + i + "]': expected an object, got " + hit);
      }
      JsonNode score = hit.get("score");
      if (score == null || !score.isNumber()) {
        throw new EvalInputException(file, lineNo, "field 'hits[" + i + "].score': expected a number, got " + score);
      }
      query.add(QrelsReader.idField(file, lineNo, hit, "docid"), score.doubleValue(), lineNo);
    }
    return query.build();
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
