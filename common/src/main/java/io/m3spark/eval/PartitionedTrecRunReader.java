package io.m3spark.eval;

import io.m3spark.io.TextLines;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a TREC run that is not grouped by qid with bounded memory: one pass spills every line, prefixed by its line
 * number, into one of P temporary partition files chosen by the qid's hash (so all lines of a query land in the same
 * partition); then each partition in turn is grouped in memory and its queries handed out. Memory is about one
 * partition ({@code partitionBytes} of text), P = file size / {@code partitionBytes}. Hits of a query keep their input
 * order, and errors name the original line. Queries come out partition by partition, not in input order. The
 * partition files are deleted on {@link #close()}.
 */
public final class PartitionedTrecRunReader implements RunReader {
  /** Text per partition by default: small enough to group in memory, large enough to keep P modest. */
  public static final long DEFAULT_PARTITION_BYTES = 64L << 20;

  private final Path file;
  private final Path dir;
  private final List<Path> partitions = new ArrayList<>();
  private int nextPartition;
  private Iterator<QueryRunBuilder> current = List.<QueryRunBuilder>of().iterator();

  public PartitionedTrecRunReader(Path file, long partitionBytes) throws IOException {
    this.file = file;
    this.dir = Files.createTempDirectory("m3spark-run-partitions");
    int count = (int) Math.max(1, Math.min(4096, Files.size(file) / Math.max(1, partitionBytes) + 1));
    spill(count);
  }

  private void spill(int count) throws IOException {
    BufferedWriter[] out = new BufferedWriter[count];
    try (TextLines in = TextLines.open(file)) {
      for (int i = 0; i < count; i++) {
        partitions.add(dir.resolve("part-" + i));
        out[i] = Files.newBufferedWriter(partitions.get(i), StandardCharsets.UTF_8);
      }
      TrecRunLine parsed = new TrecRunLine();
      long lineNo = 0;
      for (String line = in.next(); line != null; line = in.next()) {
        lineNo++;
        if (parsed.parse(file, lineNo, line)) {
          BufferedWriter w = out[Math.floorMod(parsed.qid.hashCode(), count)];
          w.write(Long.toString(lineNo));
          w.write('\t');
          w.write(line);
          w.write('\n');
        }
      }
    } finally {
      for (BufferedWriter w : out) {
        if (w != null) {
          w.close();
        }
      }
    }
  }

  @Override
  public QueryRun next() throws IOException {
    while (!current.hasNext()) {
      if (nextPartition == partitions.size()) {
        return null;
      }
      current = group(partitions.get(nextPartition++)).values().iterator();
    }
    return current.next().build();
  }

  private Map<String, QueryRunBuilder> group(Path partition) throws IOException {
    Map<String, QueryRunBuilder> byQid = new LinkedHashMap<>();
    TrecRunLine parsed = new TrecRunLine();
    try (BufferedReader in = Files.newBufferedReader(partition, StandardCharsets.UTF_8)) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        int tab = line.indexOf('\t');
        long lineNo = Long.parseLong(line.substring(0, tab));
        parsed.parse(file, lineNo, line.substring(tab + 1));
        byQid.computeIfAbsent(parsed.qid, q -> new QueryRunBuilder(file, q)).add(parsed.docid, parsed.score, lineNo);
      }
    }
    Files.delete(partition);
    return byQid;
  }

  @Override
  public void close() throws IOException {
    for (Path p : partitions) {
      Files.deleteIfExists(p);
    }
    Files.deleteIfExists(dir);
  }
}
