package io.m3spark.jobs.embed;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * {@code quarantine.jsonl}: one JSON object per bad record, in input order:
 * {@code {"file", "line" (or "row" for Parquet), "field", "reason", "raw"}}; raw is clipped to a few KB.
 */
public final class QuarantineWriter {
  private static final ObjectMapper JSON = new ObjectMapper();

  private QuarantineWriter() {}

  public static void write(FileSystem fs, Path file, Iterator<BadRecord> records) throws IOException {
    try (Writer out = new BufferedWriter(new OutputStreamWriter(fs.create(file, false), StandardCharsets.UTF_8))) {
      while (records.hasNext()) {
        out.write(JSON.writeValueAsString(json(records.next())));
        out.write('\n');
      }
    }
  }

  static ObjectNode json(BadRecord b) {
    ObjectNode node = JSON.createObjectNode();
    node.put("file", b.position().file());
    node.put(b.position().parquetRow() ? "row" : "line", b.position().number());
    node.put("field", b.field());
    node.put("reason", b.reason());
    if (b.raw() != null) {
      node.put("raw", b.raw());
    }
    return node;
  }
}
