package io.m3spark.jobs.embed;

import io.m3spark.io.NpyWriter;
import java.io.BufferedOutputStream;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import scala.Tuple2;

/**
 * {@code dense.npy} (float32, shape (n, dim), rows in input order) and {@code ids.txt} (the id of each row, one a line),
 * streamed from an iterator that walks the partitions in order ({@code toLocalIterator}), so the driver holds one
 * partition at a time, never the whole matrix.
 */
public final class DenseExport {

  private DenseExport() {}

  public static void write(FileSystem fs, Path npy, Path ids, long rows, int dim, Iterator<Tuple2<String, float[]>> data)
      throws IOException {
    try (NpyWriter matrix = new NpyWriter(new BufferedOutputStream(fs.create(npy, false), 1 << 20), rows, dim);
        Writer idLines = new BufferedWriter(new OutputStreamWriter(fs.create(ids, false), StandardCharsets.UTF_8))) {
      while (data.hasNext()) {
        Tuple2<String, float[]> next = data.next();
        matrix.writeRow(next._2());
        idLines.write(next._1());
        idLines.write('\n');
      }
    }
  }
}
