package io.m3spark.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.m3spark.io.ParsedLine;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An index cache entry that was truncated, bit-flipped or tampered with is rebuilt: the load gives the records and
 * bad-record counts a fresh pass gives, allocates nothing sized by the corrupt counts (a patched record count used to
 * ask for a 16 GiB array and kill the executor), and leaves a good entry behind.
 */
class CorruptIndexCacheTest {
  private static final int HUGE = 0x7fff_fff0;

  @TempDir
  Path dir;

  @Test
  void aCorruptEntryIsRebuiltNotTrusted() throws IOException {
    Path data = dir.resolve("d.jsonl");
    Files.writeString(data, rec("a", "x") + "\n{\"query\":\"b\",\"pos\":[\"p\"],\"neg\":[]}\n" + rec("c", "y") + "\n"
        + rec("d", "z") + "\n");
    DataLoadOptions options = DataLoadOptions.defaults().withCachePath(dir.resolve("cache"))
        .withSkipBadRecords(dir.resolve("quarantine"));
    TrainData fresh = new TrainDataLoader(options).load(List.of(data), 2);
    List<ParsedLine.Good> expected = new ArrayList<>(fresh.datasets().get(0).records());
    assertEquals(3, expected.size());
    Path entry = onlyEntry();
    byte[] good = Files.readAllBytes(entry);
    Layout at = Layout.of(good);
    long dataLength = Files.size(data);
    int second = at.recordCount + 4 + 12; // the second record's offset

    List<Map.Entry<String, UnaryOperator<byte[]>>> corruptions = List.of(
        Map.entry("record count", b -> putInt(b, at.recordCount, HUGE)),
        Map.entry("bad-line count", b -> putInt(b, at.badCount, HUGE)),
        Map.entry("offset past the end of the file", b -> putLong(b, second, dataLength + 100)),
        Map.entry("offsets out of order", b -> putLong(b, second, 0)),
        Map.entry("offset moved inside its line", b -> putLong(b, second, ByteBuffer.wrap(b).getLong(second) + 1)),
        Map.entry("truncated", b -> Arrays.copyOf(b, b.length / 2)),
        Map.entry("trailing bytes", b -> Arrays.copyOf(b, b.length + 3)));
    for (Map.Entry<String, UnaryOperator<byte[]>> c : corruptions) {
      Files.write(entry, c.getValue().apply(good.clone()));
      TrainData loaded = new TrainDataLoader(options).load(List.of(data), 2);
      assertEquals(expected, new ArrayList<>(loaded.datasets().get(0).records()), c.getKey());
      assertEquals(fresh.skipped(), loaded.skipped(), c.getKey());
      assertArrayEquals(good, Files.readAllBytes(entry), c.getKey() + ": the entry is rebuilt");
    }
  }

  private Path onlyEntry() throws IOException {
    try (Stream<Path> entries = Files.list(dir.resolve("cache").resolve("m3spark-train-index"))) {
      return entries.reduce((a, b) -> {
        throw new AssertionError("more than one entry");
      }).orElseThrow();
    }
  }

  /** Where the counts are in an entry: magic, version, identity string, teacher flag, settings string, records. */
  private record Layout(int recordCount, int badCount) {
    static Layout of(byte[] entry) {
      ByteBuffer b = ByteBuffer.wrap(entry);
      int p = 8;
      p += 4 + b.getInt(p); // identity
      p += 1; // teacher
      boolean settings = entry[p++] != 0;
      if (settings) {
        p += 4 + b.getInt(p);
      }
      return new Layout(p, p + 4 + 12 * b.getInt(p));
    }
  }

  private static byte[] putInt(byte[] b, int at, int value) {
    ByteBuffer.wrap(b).putInt(at, value);
    return b;
  }

  private static byte[] putLong(byte[] b, int at, long value) {
    ByteBuffer.wrap(b).putLong(at, value);
    return b;
  }

  private static String rec(String query, String pos) {
    return "{\"query\":\"" + query + "\",\"pos\":[\"" + pos + "\"],\"neg\":[\"n1\",\"n2\"]}";
  }
}
