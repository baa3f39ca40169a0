package io.m3spark.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.m3spark.io.StrictJson;
import io.m3spark.io.TextLines;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Streams our search output, one query per line: {@code {"qid": ..., "hits": [{"docid": ..., "score": ...}, ...]}}.
 * A line holds a whole query, so a qid on two lines is an error (it would be two different result lists), reported
 * with both line numbers. An empty {@code hits} list is a query that was searched and found nothing. Lines are read by
 * {@link TextLines} and JSON by {@link StrictJson}.
 */
public final class SearchJsonlRunReader implements RunReader {
  private final Path file;
  private final TextLines in;
  /** qid → line, to name the first occurrence when a qid repeats. */
  private final Map<String, Long> seen = new HashMap<>();
  private long lineNo;

  public SearchJsonlRunReader(Path file) throws IOException {
    this.file = file;
    this.in = TextLines.open(file);
  }

  @Override
  public QueryRun next() throws IOException {
    for (String line = in.next(); line != null; line = in.next()) {
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
      node = StrictJson.READER.readTree(line);
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
