package io.m3spark.eval;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.m3spark.io.AtomicTextFile;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes one JSON line per query, {@code {"qid": "q1", "ndcg_at_10": 0.5, ...}} (values rounded to 5 decimals), as
 * the queries are scored. The lines go to a temporary file that {@link #commit()} renames onto the target; closing
 * without commit leaves the target untouched.
 */
public final class PerQueryJsonlWriter implements PerQueryListener, AutoCloseable {
  private static final JsonFactory JSON = new JsonFactory();

  private final Path target;
  private AtomicTextFile out;

  public PerQueryJsonlWriter(Path target) throws IOException {
    this.target = target;
    this.out = AtomicTextFile.create(target);
  }

  @Override
  public void accept(QueryMetrics query) throws IOException {
    StringWriter line = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(line)) {
      g.writeStartObject();
      g.writeStringField("qid", query.qid());
      for (Map.Entry<String, Double> e : query.asMap().entrySet()) {
        g.writeNumberField(e.getKey(), Rounding.round5(e.getValue()));
      }
      g.writeEndObject();
    }
    out.writeLine(line.toString());
  }

  /** Drops the lines written so far (the evaluator restarts on an ungrouped run). */
  @Override
  public void restart() throws IOException {
    out.close();
    out = AtomicTextFile.create(target);
  }

  /** Finishes the file and moves it onto the target. */
  public void commit() throws IOException {
    out.commit();
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
