package io.m3spark.jobs.embed;

import io.m3spark.io.StrictUtf8;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapred.TextInputFormat;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import scala.Tuple2;

/**
 * The lines of text files with their 1-based line numbers, read in parallel: raw bytes per line (Hadoop's
 * TextInputFormat, bytes copied out of the reused {@link Text}) so that invalid UTF-8 reaches a validator intact.
 * Numbering works like {@code zipWithIndex}, but restarts for every file: one small job counts the lines of every
 * partition, and each partition then starts from the sum of the counts of the earlier partitions of the same file.
 * Partitions come in input order (files in the given order, each file's splits in file order).
 */
public final class NumberedLines {

  /** One line: its file's place in the input, the file, the 1-based line number, the raw bytes. */
  public record Line(int fileIndex, String file, long number, byte[] bytes) implements Serializable {
    /** Input order: the file's place in the high bits, the line in the low ones ({@link SourcePosition#order}). */
    public long order() {
      return SourcePosition.order(fileIndex, number);
    }

    /**
     * The line as text ({@link StrictUtf8}: strict UTF-8, a byte-order mark dropped from line 1), for readers with no
     * lenient mode.
     *
     * @throws IllegalArgumentException {@code file:line: invalid UTF-8 at byte n}
     */
    public String text() {
      try {
        return StrictUtf8.decodeLine(bytes, number);
      } catch (StrictUtf8.InvalidUtf8Exception e) {
        throw new IllegalArgumentException(file + ":" + number + ": " + e.getMessage(), e);
      }
    }
  }

  private NumberedLines() {}

  public static JavaRDD<Line> read(JavaSparkContext sc, List<InputFiles.InputFile> files) {
    List<JavaRDD<Tuple2<Integer, byte[]>>> perFile = new ArrayList<>();
    for (InputFiles.InputFile file : files) {
      int fileIndex = file.index();
      perFile.add(sc.hadoopFile(file.path(), TextInputFormat.class, LongWritable.class, Text.class)
          .map(line -> new Tuple2<>(fileIndex, Arrays.copyOf(line._2().getBytes(), line._2().getLength()))));
    }
    JavaRDD<Tuple2<Integer, byte[]>> lines = sc.union(perFile.toArray(JavaRDD[]::new));

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
    // Indexed by the file's place in the whole input, which may also hold files read elsewhere (Parquet).
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
      return new Iterator<Line>() {
        long line = start;

        @Override
        public boolean hasNext() {
          return it.hasNext();
        }

        @Override
        public Line next() {
          Tuple2<Integer, byte[]> next = it.next();
          return new Line(next._1(), paths[next._1()], line++, next._2());
        }
      };
    }, true);
  }
}
