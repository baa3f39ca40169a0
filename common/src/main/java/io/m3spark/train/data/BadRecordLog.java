package io.m3spark.train.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.m3spark.io.AtomicTextFile;
import io.m3spark.io.BadTrainRecord;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a load's bad records go: in strict mode the first one stops the load; in lenient mode ({@code
 * --skip_bad_records}) each is counted and, with a quarantine folder, written as one JSON line (file, line, field,
 * reason, raw). The quarantine file replaces any earlier one only when the load finishes.
 */
final class BadRecordLog implements Closeable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final boolean skip;
  private final AtomicTextFile quarantine;
  private final Map<String, Long> byReason = new TreeMap<>();
  private final Map<String, Long> byFile = new TreeMap<>();
  private long total;

  BadRecordLog(boolean skip, Path quarantineDir) throws IOException {
    this.skip = skip;
    this.quarantine = quarantineDir == null ? null
        : AtomicTextFile.create(Files.createDirectories(quarantineDir).resolve(DataLoadOptions.QUARANTINE_FILE));
  }

  /** Records {@code bad}; throws in strict mode. */
  void add(BadTrainRecord bad) throws IOException {
    if (!skip) {
      throw new TrainDataException(bad.describe());
    }
    total++;
    byReason.merge(category(bad), 1L, Long::sum);
    byFile.merge(bad.file(), 1L, Long::sum);
    if (quarantine != null) {
      ObjectNode line = JSON.createObjectNode();
      line.put("file", bad.file()).put("line", bad.line()).put("field", bad.field()).put("reason", bad.reason())
          .put("raw", bad.raw());
      quarantine.writeLine(JSON.writeValueAsString(line));
    }
  }

  /** {@code field: reason}, the reason cut before its details (at ": " or "; ") and its numbers replaced by N. */
  static String category(BadTrainRecord bad) {
    String reason = bad.reason();
    int colon = reason.indexOf(": ");
    int semicolon = reason.indexOf("; ");
    int cut = colon < 0 ? semicolon : semicolon < 0 ? colon : Math.min(colon, semicolon);
    return bad.field() + ": " + (cut < 0 ? reason : reason.substring(0, cut)).replaceAll("[0-9]+", "N");
  }

  BadRecordSummary summary() {
    return new BadRecordSummary(total, new TreeMap<>(byReason), new TreeMap<>(byFile));
  }

  /** Publishes the quarantine file. */
  void commit() throws IOException {
    if (quarantine != null) {
      quarantine.commit();
    }
  }

  @Override
  public void close() throws IOException {
    if (quarantine != null) {
      quarantine.close();
    }
  }
}
