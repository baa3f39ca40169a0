package io.m3spark.train.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m3spark.io.ParsedLine;
import io.m3spark.io.TrainRecordFile;
import io.m3spark.io.TrainRecordReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records read on demand from the offset index are exactly the records a plain line-by-line read of the same files
 * gives (the in-memory path), from any number of threads, and from the index cache.
 */
class OnDemandRecordsTest {
  @TempDir
  Path dir;

  /** The in-memory reference: every good line of the sorted files, read with {@link TrainRecordFile}. */
  private static List<ParsedLine.Good> inMemory(List<Path> files) throws IOException {
    List<ParsedLine.Good> out = new ArrayList<>();
    for (Path f : files.stream().sorted().toList()) {
      try (TrainRecordFile in = TrainRecordFile.open(f, new TrainRecordReader(false))) {
        in.forEachRemaining(l -> out.add(assertInstanceOf(ParsedLine.Good.class, l)));
      }
    }
    return out;
  }

  @Test
  void sameRecordsAsReadingLineByLine() throws IOException {
    Path korean = dir.resolve("ko.jsonl");
    Files.write(korean, ("\uFEFF" + rec("서울의 수도는?", "서울은 대한민국의 수도이다.") + "\r\n\r\n"
        + rec("부산 🌊", "항구 도시\\n둘째 줄") + "\r\n   \n" + rec("last", "no newline at the end"))
        .getBytes(StandardCharsets.UTF_8));
    // records longer than the indexer's 1 MiB read buffer and many lines crossing its boundaries
    Path big = dir.resolve("big.jsonl");
    SplittableRandom random = new SplittableRandom(7);
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 3000; i++) {
      text.append(rec("q" + i, randomText(random, i == 1500 ? 1_500_000 : random.nextInt(10, 1200)))).append('\n');
    }
    Files.writeString(big, text);

    List<Path> files = List.of(korean, big);
    TrainDataset loaded = new TrainDataLoader(DataLoadOptions.defaults()).load(files, 2).datasets().get(0);
    List<ParsedLine.Good> expected = inMemory(files);
    assertEquals(3003, expected.size());
    assertEquals(expected, new ArrayList<>(loaded.records()));
    assertEquals(List.of(1L, 3L, 5L), loaded.records().subList(3000, 3003).stream().map(ParsedLine::line).toList());
    assertEquals("서울의 수도는?", loaded.records().get(3000).record().query());
    assertEquals("항구 도시\n둘째 줄", loaded.records().get(3001).record().pos().get(0));
  }

  @Test
  void concurrentReadsAgreeWithSequentialOnes() throws Exception {
    Path f = dir.resolve("c.jsonl");
    SplittableRandom random = new SplittableRandom(3);
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      lines.add(rec("q" + i, randomText(random, random.nextInt(1, 3000))));
    }
    Files.write(f, lines);
    List<ParsedLine.Good> records = new TrainDataLoader(DataLoadOptions.defaults()).load(List.of(f), 2).datasets()
        .get(0).records();
    List<ParsedLine.Good> sequential = new ArrayList<>(records);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Integer>> checks = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        long seed = t;
        checks.add(pool.submit(() -> {
          SplittableRandom r = new SplittableRandom(seed);
          int checked = 0;
          for (int k = 0; k < 2000; k++) {
            int i = r.nextInt(records.size());
            assertEquals(sequential.get(i), records.get(i));
            checked++;
          }
          return checked;
        }));
      }
      for (Future<Integer> c : checks) {
        assertEquals(2000, c.get());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void cacheSkipsRevalidationAndReplaysBadRecords() throws IOException {
    Path cache = dir.resolve("cache");
    Path f = dir.resolve("d.jsonl");
    Files.writeString(f, rec("a", "x") + "\n{\"query\":\"b\",\"pos\":[\"p\"],\"neg\":[]}\n" + rec("c", "y") + "\n");
    DataLoadOptions lenient = DataLoadOptions.defaults().withCachePath(cache).withSkipBadRecords(dir.resolve("q1"));
    TrainData first = new TrainDataLoader(lenient).load(List.of(f), 2);
    try (Stream<Path> entries = Files.list(cache.resolve("m3spark-train-index"))) {
      assertEquals(1, entries.count());
    }

    // line 3 loses its negatives (same length, modification time restored): only a pass would see it, so a load that
    // still counts one bad record and keeps line 3 has used the cache
    FileTime mtime = Files.getLastModifiedTime(f);
    Files.writeString(f, Files.readString(f).replace("\"c\",\"pos\":[\"y\"],\"neg\":[\"n1\",\"n2\"]",
        "\"c\",\"pos\":[\"y\"],\"neg\":[         ]"));
    Files.setLastModifiedTime(f, mtime);
    TrainData cached = new TrainDataLoader(lenient.withSkipBadRecords(dir.resolve("q2"))).load(List.of(f), 2);
    assertEquals(first.skipped(), cached.skipped());
    assertEquals(Files.readAllLines(dir.resolve("q1").resolve(DataLoadOptions.QUARANTINE_FILE)),
        Files.readAllLines(dir.resolve("q2").resolve(DataLoadOptions.QUARANTINE_FILE)));
    assertEquals(List.of(1L, 3L), cached.datasets().get(0).records().stream().map(ParsedLine::line).toList());
    Files.setLastModifiedTime(f, FileTime.fromMillis(mtime.toMillis() + 2000));
    assertEquals(2, new TrainDataLoader(lenient).load(List.of(f), 2).skipped().total());

    // strict mode from a cache entry that has bad lines stops at the first, as a fresh pass would
    DataLoadOptions strict = DataLoadOptions.defaults().withCachePath(cache);
    TrainDataException e = assertThrows(TrainDataException.class,
        () -> new TrainDataLoader(strict).load(List.of(f), 2));
    assertTrue(e.getMessage().startsWith(f + ":2: neg: empty"), e.getMessage());

    Files.writeString(f, rec("a", "x") + "\n");
    assertEquals(1, new TrainDataLoader(strict).load(List.of(f), 2).datasets().get(0).spec().size());
  }

  @Test
  void aFileChangedAfterLoadingIsAnErrorNotWrongData() throws IOException {
    Path f = dir.resolve("d.jsonl");
    Files.writeString(f, rec("a", "x") + "\n" + rec("b", "y") + "\n");
    List<ParsedLine.Good> records = new TrainDataLoader(DataLoadOptions.defaults()).load(List.of(f), 2).datasets()
        .get(0).records();
    Files.writeString(f, rec("a", "x") + "\n" + rec("b", "y") + "\n" + rec("c", "z") + "\n");
    TrainDataException e = assertThrows(TrainDataException.class, () -> records.get(1));
    assertTrue(e.getMessage().startsWith(f + ": changed since it was loaded"), e.getMessage());
  }

  private static String rec(String query, String pos) {
    return "{\"query\":\"" + query + "\",\"pos\":[\"" + pos + "\"],\"neg\":[\"n1\",\"n2\"]}";
  }

  /** Letters, Hangul and spaces (no characters that need JSON escaping). */
  private static String randomText(SplittableRandom random, int length) {
    StringBuilder s = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      int k = random.nextInt(10);
      s.append(k < 6 ? (char) ('a' + random.nextInt(26)) : k < 9 ? (char) (0xAC00 + random.nextInt(11172)) : ' ');
    }
    return s.toString();
  }
}
