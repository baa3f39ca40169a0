package io.m3spark.eval;

import io.m3spark.io.AtomicFiles;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
  private final Path tmp;
  private BufferedWriter out;
  private boolean committed;

  public PerQueryJsonlWriter(Path target) throws IOException {
    this.target = target;
    this.tmp = AtomicFiles.tempSibling(target);
    this.out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8);
  }

  @Override
  public void accept(QueryMetrics query) throws IOException {
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
      g.writeStartObject();
      g.writeStringField("qid", query.qid());
      for (Map.Entry<String, Double> e : query.asMap().entrySet()) {
        g.writeNumberField(e.getKey(), Rounding.round5(e.getValue()));
      }
      g.writeEndObject();
    }
    out.write('\n');
  }

  /** Drops the lines written so far (the evaluator restarts on an ungrouped run). */
  @Override
  public void restart() throws IOException {
    out.close();
    out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8);
  }

  /** Finishes the file and moves it onto the target. */
  public void commit() throws IOException {
    out.close();
    AtomicFiles.moveInto(tmp, target);
    committed = true;
  }

  @Override
  public void close() throws IOException {
    if (!committed) {
      out.close();
      Files.deleteIfExists(tmp);
    }
  }
}
