package io.m3spark.jobs.prepare;

import io.m3spark.io.AtomicTextFile;
import io.m3spark.io.ParsedLine;
import io.m3spark.io.TrainRecordFile;
import io.m3spark.io.TrainRecordReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * A deterministic train/test split of training JSONL by group ({@link GroupBy}).
 *
 * <p>Assignment: the distinct group keys (the query text, or a positive group's smallest text) are sorted, shuffled by
 * a generator seeded with {@code seed}, and the first round(ratio × groups) go to test (at least one group on each
 * side when there are two or more). Sorting first makes the result depend only on the set of keys and the seed, not on
 * the order of the lines; shuffling whole groups gives the exact group ratio, which a hash threshold would only
 * approximate on small sets. Records keep their input order within each output file.
 *
 * <p>Two passes over the input: the first builds the groups (all distinct positive texts are held in memory), the
 * second writes the records.
 */
final class DataSplitter {
  private final double testRatio;
  private final long seed;
  private final GroupBy groupBy;

  DataSplitter(double testRatio, long seed, GroupBy groupBy) {
    this.testRatio = testRatio;
    this.seed = seed;
    this.groupBy = groupBy;
  }

  SplitReport split(Path input, Path train, Path test, BadRecordSink bad) throws IOException {
    TrainRecordReader reader = new TrainRecordReader(false);
    TextUnionFind positives = new TextUnionFind();
    List<int[]> positiveIds = new ArrayList<>();
    List<String> queries = new ArrayList<>();
    try (TrainRecordFile in = TrainRecordFile.open(input, reader)) {
      while (in.hasNext()) {
        ParsedLine line = in.next();
        if (line instanceof ParsedLine.Bad b) {
          bad.accept(b.bad());
        } else if (line instanceof ParsedLine.Good g) {
          List<String> pos = g.record().pos();
          int[] ids = new int[pos.size()];
          for (int i = 0; i < ids.length; i++) {
            ids[i] = positives.id(pos.get(i));
            positives.union(ids[0], ids[i]);
          }
          positiveIds.add(ids);
          if (groupBy == GroupBy.QUERY) {
            queries.add(g.record().query());
          }
        }
      }
    }
    bad.finish();

    int n = positiveIds.size();
    String[] keys = new String[n];
    for (int i = 0; i < n; i++) {
      keys[i] = groupBy == GroupBy.QUERY ? queries.get(i) : positives.smallestText(positiveIds.get(i)[0]);
    }
    Set<String> testKeys = testGroups(new TreeSet<>(List.of(keys)));
    boolean[] isTest = new boolean[n];
    BitSet trainPositives = new BitSet();
    for (int i = 0; i < n; i++) {
      isTest[i] = testKeys.contains(keys[i]);
      if (!isTest[i]) {
        for (int id : positiveIds.get(i)) {
          trainPositives.set(id);
        }
      }
    }
    long testRecords = 0;
    long leaked = 0;
    for (int i = 0; i < n; i++) {
      if (isTest[i]) {
        testRecords++;
        if (Arrays.stream(positiveIds.get(i)).anyMatch(trainPositives::get)) {
          leaked++;
        }
      }
    }
    write(input, reader, isTest, train, test);
    long groups = new HashSet<>(List.of(keys)).size();
    return new SplitReport(groupBy, testRatio, seed, n, groups, n - testRecords, testRecords,
        groups - testKeys.size(), testKeys.size(), leaked, bad.count());
  }

  /** The test side: a seeded shuffle of the sorted keys, first round(ratio × groups). */
  private Set<String> testGroups(TreeSet<String> sortedKeys) {
    List<String> keys = new ArrayList<>(sortedKeys);
    SplittableRandom rng = new SplittableRandom(seed);
    for (int i = keys.size() - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      String t = keys.get(i);
      keys.set(i, keys.get(j));
      keys.set(j, t);
    }
    int count = (int) Math.round(testRatio * keys.size());
    if (keys.size() >= 2) {
      count = Math.max(1, Math.min(keys.size() - 1, count));
    }
    return new HashSet<>(keys.subList(0, count));
  }

  private static void write(Path input, TrainRecordReader reader, boolean[] isTest, Path train, Path test)
      throws IOException {
    try (TrainRecordFile in = TrainRecordFile.open(input, reader);
        AtomicTextFile trainOut = AtomicTextFile.create(train);
        AtomicTextFile testOut = AtomicTextFile.create(test)) {
      int i = 0;
      while (in.hasNext()) {
        if (in.next() instanceof ParsedLine.Good g) {
          (isTest[i++] ? testOut : trainOut).writeLine(g.record().toJsonLine());
        }
      }
      trainOut.commit();
      testOut.commit();
    }
  }
}
