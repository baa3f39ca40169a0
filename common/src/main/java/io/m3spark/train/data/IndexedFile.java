package io.m3spark.train.data;

import io.m3spark.io.ParsedLine;
import io.m3spark.io.TrainRecord;
import io.m3spark.io.TrainRecordReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * One validated training file, held as the byte offset and line number of each good record (12 bytes a record)
 * instead of the records themselves; {@link #read} fetches one record from disk. Reads are positional on a channel
 * opened for that read, so any number of threads may read at once and an interrupted thread harms no other.
 *
 * <p>{@code teacher} says whether the records' teacher scores are used; when not, {@link #read} drops them (as
 * FlagEmbedding drops the columns), so every record of one batch agrees on having a teacher.
 */
final class IndexedFile {
  private static final TrainRecordReader FORMAT = new TrainRecordReader(false);
  private static final int CHUNK = 64 * 1024;

  private final Path path;
  private final long length;
  private final long modified;
  private final long[] offsets;
  private final int[] lines;
  private final String settings;
  private final boolean teacher;

  /**
   * @param settings the first well-formed record's JSON, which carries the file's settings (§4.4); null when none
   */
  IndexedFile(Path path, long length, long modified, long[] offsets, int[] lines, String settings, boolean teacher) {
    if (offsets.length != lines.length) {
      throw new IllegalArgumentException(offsets.length + " offsets for " + lines.length + " line numbers");
    }
    this.path = path;
    this.length = length;
    this.modified = modified;
    this.offsets = offsets;
    this.lines = lines;
    this.settings = settings;
    this.teacher = teacher;
  }

  Path path() {
    return path;
  }

  String name() {
    return path.toString();
  }

  long length() {
    return length;
  }

  long modified() {
    return modified;
  }

  int size() {
    return offsets.length;
  }

  long offset(int i) {
    return offsets[i];
  }

  int line(int i) {
    return lines[i];
  }

  boolean teacher() {
    return teacher;
  }

  String settingsJson() {
    return settings;
  }

  /** The record the file's same-dataset settings are read from. */
  TrainRecord settings() {
    return ((ParsedLine.Good) FORMAT.parse(name(), 0, settings)).record();
  }

  /** This file with its teacher scores dropped (a pool whose members disagree trains without teacher). */
  IndexedFile withoutTeacher() {
    return new IndexedFile(path, length, modified, offsets, lines, settings, false);
  }

  /** Record {@code i}, read from disk. */
  ParsedLine.Good read(int i) {
    long end = i + 1 < offsets.length ? offsets[i + 1] : length;
    String text;
    try (FileChannel in = FileChannel.open(path, StandardOpenOption.READ)) {
      if (in.size() != length) {
        throw changed("its size is now " + in.size() + " bytes, was " + length);
      }
      text = new String(lineAt(in, offsets[i], end), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(name() + ":" + lines[i] + ": cannot read", e);
    }
    if (!(FORMAT.parse(name(), lines[i], text) instanceof ParsedLine.Good good)) {
      throw changed("line " + lines[i] + " is no longer the record it was");
    }
    return teacher || !good.record().hasScores() ? good
        : new ParsedLine.Good(good.file(), good.line(), good.record().withoutScores());
  }

  private TrainDataException changed(String how) {
    return new TrainDataException(name() + ": changed since it was loaded (" + how + "); restart the job");
  }

  /** The bytes from {@code start} to the next newline (or {@code end}), without the line end. */
  static byte[] lineAt(FileChannel in, long start, long end) throws IOException {
    byte[] out = new byte[(int) Math.min(CHUNK, end - start)];
    int n = 0;
    while (start + n < end) {
      if (n == out.length) {
        out = Arrays.copyOf(out, (int) Math.min(2L * out.length, end - start));
      }
      ByteBuffer buf = ByteBuffer.wrap(out, n, (int) Math.min(out.length - n, end - start - n));
      int read = in.read(buf, start + n);
      if (read < 0) {
        break;
      }
      int from = n;
      n += read;
      for (int j = from; j < n; j++) {
        if (out[j] == '\n') {
          return Arrays.copyOf(out, j > 0 && out[j - 1] == '\r' ? j - 1 : j);
        }
      }
    }
    return Arrays.copyOf(out, n > 0 && out[n - 1] == '\r' ? n - 1 : n);
  }
}
