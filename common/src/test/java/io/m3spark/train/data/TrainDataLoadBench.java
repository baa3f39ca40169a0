package io.m3spark.train.data;

import io.m3spark.io.ParsedLine;
import io.m3spark.io.TrainRecordFile;
import io.m3spark.io.TrainRecordReader;
import java.io.BufferedWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loading cost of {@link TrainDataLoader} on a generated file of {@code m3spark.bench.records} records (default
 * 200,000), each a query, one positive and 8 negatives of about 300 characters (half Hangul): index time (a fresh
 * validating pass, then from the index cache), retained heap of the loaded data against the same records held in
 * memory, and the time to read one batch of 16 random records, from one thread and from 8 at once. Prints the
 * figures. Not part of CI: {@code -Dm3spark.bench=true -Dtest=TrainDataLoadBench}.
 */
@EnabledIfSystemProperty(named = "m3spark.bench", matches = "true")
class TrainDataLoadBench {
  private static final int BATCH = 16;

  @TempDir
  Path dir;

  @Test
  void loadAndRead() throws Exception {
    int n = Integer.getInteger("m3spark.bench.records", 200_000);
    Path file = dir.resolve("train.jsonl");
    SplittableRandom random = new SplittableRandom(1);
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (int i = 0; i < n; i++) {
        StringBuilder s = new StringBuilder("{\"query\":\"").append(text(random, 60)).append("\",\"pos\":[\"")
            .append(text(random, 300)).append("\"],\"neg\":[");
        for (int k = 0; k < 8; k++) {
          s.append(k == 0 ? "\"" : ",\"").append(text(random, 300)).append('"');
        }
        out.write(s.append("],\"type\":\"normal\"}\n").toString());
      }
    }
    double mb = Files.size(file) / 1e6;
    print("file: %d records, %.0f MB", n, mb);

    DataLoadOptions options = DataLoadOptions.defaults().withCachePath(dir.resolve("cache"));
    List<TrainDataset> keep = new ArrayList<>();
    long before = usedHeap();
    long t0 = System.nanoTime();
    keep.add(new TrainDataLoader(options).load(List.of(file), 2).datasets().get(0));
    double pass = (System.nanoTime() - t0) / 1e9;
    long indexHeap = usedHeap() - before;
    print("validating pass: %.2f s (%.0f MB/s, %.2f s per million records); retained heap %.1f MB (%.1f bytes a "
        + "record, %.1f MB per million)", pass, mb / pass, pass * 1e6 / n, indexHeap / 1e6, (double) indexHeap / n,
        indexHeap / (double) n);
    t0 = System.nanoTime();
    keep.add(new TrainDataLoader(options).load(List.of(file), 2).datasets().get(0));
    print("from the index cache: %.3f s", (System.nanoTime() - t0) / 1e9);

    List<ParsedLine.Good> records = keep.get(0).records();
    for (int threads : new int[] {1, 8}) {
      batchTimes(records, threads, 200); // warm-up
      double[] ms = batchTimes(records, threads, 2000);
      print("batch of %d random records, %d thread(s): median %.3f ms, p99 %.3f ms", BATCH, threads, ms[ms.length / 2],
          ms[(int) (ms.length * 0.99)]);
    }

    int sample = Math.min(n, 20_000);
    before = usedHeap();
    List<ParsedLine.Good> inMemory = new ArrayList<>(sample);
    try (TrainRecordFile in = TrainRecordFile.open(file, new TrainRecordReader(false))) {
      while (inMemory.size() < sample && in.hasNext()) {
        inMemory.add((ParsedLine.Good) in.next());
      }
    }
    long memHeap = usedHeap() - before;
    print("in memory, for comparison: %.0f bytes a record, %.0f MB per million (%d records held)",
        (double) memHeap / sample, memHeap / (double) sample, inMemory.size());
    print("kept %d datasets", keep.size());
  }

  private static double[] batchTimes(List<ParsedLine.Good> records, int threads, int batchesPerThread)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<double[]>> parts = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        long seed = t;
        parts.add(pool.submit(() -> {
          SplittableRandom r = new SplittableRandom(seed);
          double[] ms = new double[batchesPerThread];
          for (int b = 0; b < batchesPerThread; b++) {
            long s = System.nanoTime();
            for (int k = 0; k < BATCH; k++) {
              records.get(r.nextInt(records.size()));
            }
            ms[b] = (System.nanoTime() - s) / 1e6;
          }
          return ms;
        }));
      }
      double[] all = new double[0];
      for (Future<double[]> p : parts) {
        double[] ms = p.get();
        int at = all.length;
        all = Arrays.copyOf(all, at + ms.length);
        System.arraycopy(ms, 0, all, at, ms.length);
      }
      Arrays.sort(all);
      return all;
    } finally {
      pool.shutdownNow();
    }
  }

  private static long usedHeap() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static String text(SplittableRandom random, int length) {
    StringBuilder s = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      int k = random.nextInt(12);
      s.append(k < 5 ? (char) ('a' + random.nextInt(26)) : k < 11 ? (char) (0xAC00 + random.nextInt(11172)) : ' ');
    }
    return s.toString();
  }

  private static void print(String format, Object... args) {
    System.out.println("[TrainDataLoadBench] " + String.format(Locale.ROOT, format, args));
  }
}
