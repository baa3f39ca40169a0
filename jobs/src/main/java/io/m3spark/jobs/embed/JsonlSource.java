package io.m3spark.jobs.embed;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapred.TextInputFormat;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import scala.Tuple2;

/**
 * Reads JSONL files as raw bytes per line (Hadoop's TextInputFormat, bytes copied out of the reused {@link Text}) so that
 * invalid UTF-8 reaches the validator intact, and numbers the lines 1-based per file. Numbering works like
 * {@code zipWithIndex}, but restarts for every file: one small job counts the lines of every partition, and each partition
 * then starts from the sum of the counts of the earlier partitions of the same file.
 */
public final class JsonlSource {

  private JsonlSource() {}

  public static JavaRDD<ParsedRecord> read(JavaSparkContext sc, List<InputFiles.InputFile> files, TextComposer composer) {
    List<JavaRDD<Tuple2<Integer, byte[]>>> perFile = new ArrayList<>();
    for (InputFiles.InputFile file : files) {
      int fileIndex = file.index();
      perFile.add(sc.hadoopFile(file.path(), TextInputFormat.class, LongWritable.class, Text.class)
          .map(line -> new Tuple2<>(fileIndex, Arrays.copyOf(line._2().getBytes(), line._2().getLength()))));
    }
    JavaRDD<Tuple2<Integer, byte[]>> lines = sc.union(perFile.toArray(JavaRDD[]::new));

    // Partitions of a union come in the order of its inputs, and a file's splits in file order.
    List<long[]> counts = lines.mapPartitionsWithIndex((partition, it) -> {
      long n = 0;
      int fileIndex = -1;
      while (it.hasNext()) {
        fileIndex = it.next()._1();
        n++;
      }
      return List.of(new long[] {partition, fileIndex, n}).iterator();
    }, true).collect();
    long[] firstLine = new long[counts.size()];
    // Indexed by the file's place in the whole input, which may also hold Parquet files.
    int slots = files.stream().mapToInt(InputFiles.InputFile::index).max().orElse(-1) + 1;
    long[] linesSoFar = new long[slots];
    for (long[] c : counts) {
      if (c[1] >= 0) {
        firstLine[(int) c[0]] = linesSoFar[(int) c[1]] + 1;
        linesSoFar[(int) c[1]] += c[2];
      }
    }
    String[] paths = new String[slots];
    files.forEach(f -> paths[f.index()] = f.path());

    return lines.mapPartitionsWithIndex((partition, it) -> {
      long start = firstLine[partition];
      return new Iterator<ParsedRecord>() {
        long line = start;

        @Override
        public boolean hasNext() {
          return it.hasNext();
        }

        @Override
        public ParsedRecord next() {
          Tuple2<Integer, byte[]> next = it.next();
          long number = line++;
          SourcePosition position = new SourcePosition(paths[next._1()], number, false);
          return RecordValidator.fromJsonLine(SourcePosition.order(next._1(), number), position, next._2(), composer);
        }
      };
    }, true).filter(Objects::nonNull); // blank lines
  }
}
