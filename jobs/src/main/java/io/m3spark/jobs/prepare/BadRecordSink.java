package io.m3spark.jobs.prepare;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.m3spark.io.AtomicTextFile;
import io.m3spark.io.BadTrainRecord;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a prepare command's bad records go. Without {@code --skip_bad_records} the command reads on to count them,
 * then {@link #finish()} fails listing the first few, before any output is committed. With it, each one becomes a
 * line of the quarantine file {@code {"file","line","field","reason","raw"}} and the command goes on.
 */
final class BadRecordSink implements Closeable {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final int SHOWN = 10;

  private final boolean skip;
  private final Path quarantine;
  private final List<BadTrainRecord> first = new ArrayList<>();
  private AtomicTextFile out;
  private long count;

  BadRecordSink(boolean skip, Path quarantine) {
    this.skip = skip;
    this.quarantine = quarantine;
  }

  void accept(BadTrainRecord bad) throws IOException {
    count++;
    if (first.size() < SHOWN) {
      first.add(bad);
    }
    if (skip) {
      if (out == null) {
        out = AtomicTextFile.create(quarantine);
      }
      out.writeLine(JSON.writeValueAsString(json(bad)));
    }
  }

  long count() {
    return count;
  }

  /** The quarantine file, or null when nothing was quarantined. */
  Path quarantine() {
    return out == null ? null : quarantine;
  }

  /**
   * Fails when bad records were seen and not skipped; else commits the quarantine file, if any, or deletes the one an
   * earlier run left (the outputs of one run never sit beside another run's quarantine).
   */
  void finish() throws IOException {
    if (count > 0 && !skip) {
      throw new BadTrainingDataException(count, first);
    }
    if (out != null) {
      out.commit();
    } else {
      Files.deleteIfExists(quarantine);
    }
  }

  @Override
  public void close() throws IOException {
    if (out != null) {
      out.close();
    }
  }

  private static ObjectNode json(BadTrainRecord b) {
    ObjectNode n = JSON.createObjectNode();
    n.put("file", b.file());
    n.put("line", b.line());
    n.put("field", b.field());
    n.put("reason", b.reason());
    n.put("raw", b.raw());
    return n;
  }
}
