package io.m3spark.train.data;

import io.m3spark.io.BadTrainRecord;
import io.m3spark.io.ParsedLine;
import io.m3spark.io.TrainRecord;
import io.m3spark.io.TrainRecordReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * The validating pass over one training file: every line is checked once, at load, against the format (spec §0) and
 * against what training will need of it — negatives when the file's groups have more than one passage, teacher scores
 * when the file is distilled — and the good lines' offsets are kept ({@link IndexedFile}). The file's group size comes
 * from its first well-formed record ({@code groupSizeOf}, per file in same-dataset mode, §4.4), and so, in same-dataset
 * mode, does whether it has a teacher.
 *
 * <p>Lines are split on {@code \n}; a {@code \r} before it, a UTF-8 byte-order mark on line 1 and blank lines are
 * accepted (blank lines still count for line numbers). Bytes that are not UTF-8 make the line bad.
 */
final class FileIndexer {
  private static final TrainRecordReader FORMAT = new TrainRecordReader(false);

  private final DataLoadOptions options;
  private final ToIntFunction<TrainRecord> groupSizeOf;
  private final IndexCache cache;

  FileIndexer(DataLoadOptions options, ToIntFunction<TrainRecord> groupSizeOf) {
    this.options = options;
    this.groupSizeOf = groupSizeOf;
    this.cache = options.cachePath() == null ? null : new IndexCache(options.cachePath(), cacheKey(options));
  }

  /** A bad line as the cache keeps it: where it starts, so its raw text can be read again. */
  record BadLine(long offset, long line, String field, String reason) {}

  /** The index of {@code file}; its bad lines go to {@code log} (which throws in strict mode). */
  IndexedFile index(Path file, BadRecordLog log) throws IOException {
    if (cache != null) {
      IndexCache.Entry hit = cache.read(file);
      if (hit != null) {
        for (BadLine b : hit.bad()) {
          log.add(new BadTrainRecord(file.toString(), b.line(), b.field(), b.reason(), rawAt(file, b.offset())));
        }
        return hit.index();
      }
    }
    Scan scan = new Scan(file, log);
    long length = Files.size(file);
    long modified = Files.getLastModifiedTime(file).toMillis();
    try (InputStream in = Files.newInputStream(file)) {
      scan.run(in);
    }
    IndexedFile index = new IndexedFile(file, length, modified, Arrays.copyOf(scan.offsets, scan.count),
        Arrays.copyOf(scan.lines, scan.count), scan.settings, scan.teacher);
    if (cache != null && Files.size(file) == length && Files.getLastModifiedTime(file).toMillis() == modified) {
      cache.write(new IndexCache.Entry(index, scan.bad));
    }
    return index;
  }

  /** What decides validity besides the file itself. */
  private static String cacheKey(DataLoadOptions o) {
    return "G=" + o.groupSize() + ",kd=" + o.knowledgeDistillation() + ",same=" + o.sameDatasetWithinBatch();
  }

  private static String rawAt(Path file, long offset) throws IOException {
    try (var in = java.nio.channels.FileChannel.open(file)) {
      long end = Math.min(in.size(), offset + 4L * BadTrainRecord.MAX_RAW_CHARS);
      return new String(IndexedFile.lineAt(in, offset, end), StandardCharsets.UTF_8);
    }
  }

  /** One pass over one file. */
  private final class Scan {
    private final Path file;
    private final String name;
    private final BadRecordLog log;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private final List<BadLine> bad = new ArrayList<>();
    private TrainRecordReader rules;
    private String settings;
    private boolean teacher;
    private long[] offsets = new long[1024];
    private int[] lines = new int[1024];
    private int count;
    private int lineNumber;

    Scan(Path file, BadRecordLog log) {
      this.file = file;
      this.name = file.toString();
      this.log = log;
    }

    void run(InputStream in) throws IOException {
      byte[] buf = new byte[1 << 20];
      byte[] carry = new byte[0];
      int carried = 0;
      long bufStart = 0;
      long lineStart = 0;
      int n;
      while ((n = in.readNBytes(buf, 0, buf.length)) > 0) {
        int from = 0;
        for (int i = 0; i < n; i++) {
          if (buf[i] != '\n') {
            continue;
          }
          if (carried == 0) {
            line(lineStart, buf, from, i - from);
          } else {
            carry = append(carry, carried, buf, from, i - from);
            line(lineStart, carry, 0, carried + i - from);
            carried = 0;
          }
          from = i + 1;
          lineStart = bufStart + from;
        }
        carry = append(carry, carried, buf, from, n - from);
        carried += n - from;
        bufStart += n;
      }
      if (carried > 0) {
        line(lineStart, carry, 0, carried);
      }
    }

    private static byte[] append(byte[] to, int used, byte[] from, int off, int len) {
      byte[] out = used + len <= to.length ? to : Arrays.copyOf(to, Math.max(2 * to.length, used + len));
      System.arraycopy(from, off, out, used, len);
      return out;
    }

    private void line(long offset, byte[] bytes, int off, int len) throws IOException {
      lineNumber++;
      if (len > 0 && bytes[off + len - 1] == '\r') {
        len--;
      }
      if (lineNumber == 1 && len >= 3 && (bytes[off] & 0xFF) == 0xEF && (bytes[off + 1] & 0xFF) == 0xBB
          && (bytes[off + 2] & 0xFF) == 0xBF) {
        off += 3; // a UTF-8 byte-order mark, written by some Windows editors
        len -= 3;
        offset += 3;
      }
      // the fast decoder replaces bad bytes with U+FFFD; only a line that has one is checked strictly
      String text = new String(bytes, off, len, StandardCharsets.UTF_8);
      if (text.indexOf('\uFFFD') >= 0 && !validUtf8(bytes, off, len)) {
        bad(offset, new BadTrainRecord(name, lineNumber, "(line)", "not valid UTF-8 text", text));
        return;
      }
      ParsedLine parsed = (rules == null ? FORMAT : rules).parse(name, lineNumber, text);
      if (rules == null && parsed instanceof ParsedLine.Good good) {
        decideSettings(good.record(), text);
        parsed = rules.parse(name, lineNumber, text);
      }
      if (parsed instanceof ParsedLine.Bad b) {
        bad(offset, b.bad());
      } else if (parsed instanceof ParsedLine.Good) {
        if (count == offsets.length) {
          offsets = Arrays.copyOf(offsets, 2 * count);
          lines = Arrays.copyOf(lines, 2 * count);
        }
        offsets[count] = offset;
        lines[count++] = lineNumber;
      }
    }

    private boolean validUtf8(byte[] bytes, int off, int len) {
      try {
        utf8.decode(ByteBuffer.wrap(bytes, off, len));
        return true;
      } catch (CharacterCodingException e) {
        return false;
      }
    }

    private void decideSettings(TrainRecord first, String text) {
      settings = text;
      teacher = options.knowledgeDistillation() && (!options.sameDatasetWithinBatch() || first.hasScores());
      rules = new TrainRecordReader(groupSizeOf.applyAsInt(first) > 1, teacher);
    }

    private void bad(long offset, BadTrainRecord record) throws IOException {
      log.add(record);
      if (cache != null) {
        bad.add(new BadLine(offset, record.line(), record.field(), record.reason()));
      }
    }
  }
}
