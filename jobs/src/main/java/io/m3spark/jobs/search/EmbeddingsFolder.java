package io.m3spark.jobs.search;

import io.m3spark.io.NpyReader;
import io.m3spark.jobs.embed.InputFiles;
import io.m3spark.jobs.embed.NumberedLines;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.deploy.SparkHadoopUtil;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.Tuple2;

/**
 * Reads the dense vectors and ids of an {@code m3spark embed} output folder as (id, vector) pairs.
 *
 * <ul>
 *   <li>{@code dense.npy} + {@code ids.txt} when present (always, when dense vectors were computed): rows in input order.
 *       {@code ids.txt} is read as a text file (partitions in file order) and each partition reads its own rows of the
 *       fixed-width {@code .npy} with a seek, on the executors: no vector passes through the driver.</li>
 *   <li>otherwise the {@code embeddings/} folder, Parquet or JSONL with {@code id} and {@code dense} columns, in the
 *       order Spark reads it.</li>
 * </ul>
 */
public final class EmbeddingsFolder {
  static final String NPY = "dense.npy";
  static final String IDS = "ids.txt";
  static final String EMBEDDINGS = "embeddings";

  private EmbeddingsFolder() {}

  /**
   * @param flag the command-line flag that named the folder, for error messages
   * @throws IllegalArgumentException when the folder is missing or is not an embed output with dense vectors
   */
  public static JavaRDD<Tuple2<String, float[]>> read(SparkSession spark, String folder, String flag) {
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    try {
      Path dir = new Path(folder);
      FileSystem fs = dir.getFileSystem(sc.hadoopConfiguration());
      if (!fs.exists(dir)) {
        throw new IllegalArgumentException(flag + " " + folder + " does not exist");
      }
      if (fs.exists(new Path(dir, NPY)) && fs.exists(new Path(dir, IDS))) {
        return fromNpy(sc, fs, new Path(dir, NPY), new Path(dir, IDS));
      }
      Path embeddings = new Path(dir, EMBEDDINGS);
      if (fs.exists(embeddings)) {
        return fromEmbeddings(spark, fs, embeddings, flag);
      }
      throw new IllegalArgumentException(flag + " " + folder + " has neither " + NPY + " + " + IDS + " nor an "
          + EMBEDDINGS + "/ folder: expected the output folder of m3spark embed");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + flag + " " + folder, e);
    }
  }

  private static JavaRDD<Tuple2<String, float[]>> fromNpy(JavaSparkContext sc, FileSystem fs, Path npy, Path ids)
      throws IOException {
    NpyReader.Header header;
    try (FSDataInputStream in = fs.open(npy)) {
      header = NpyReader.readHeader(in);
    }
    // Strict UTF-8 with line numbers, BOM dropped: an id read differently from how it was written would match no qrel.
    JavaRDD<String> idLines = NumberedLines.read(sc,
        List.of(new InputFiles.InputFile(0, ids.toString(), InputFiles.Format.JSONL))).map(NumberedLines.Line::text);
    List<Long> counts = idLines.mapPartitions(it -> {
      long n = 0;
      for (; it.hasNext(); it.next()) {
        n++;
      }
      return List.of(n).iterator();
    }).collect();
    long total = counts.stream().mapToLong(Long::longValue).sum();
    if (total != header.rows()) {
      throw new IllegalArgumentException(ids + " has " + total + " ids but " + npy + " has " + header.rows() + " rows");
    }
    long[] firstRow = new long[counts.size()];
    for (int p = 1; p < firstRow.length; p++) {
      firstRow[p] = firstRow[p - 1] + counts.get(p - 1);
    }
    String npyPath = npy.toString();
    int dim = header.cols();
    long dataOffset = header.dataOffset();
    return idLines.mapPartitionsWithIndex((partition, it) -> {
      List<Tuple2<String, float[]>> rows = new ArrayList<>();
      if (!it.hasNext()) {
        return rows.iterator();
      }
      Path path = new Path(npyPath);
      try (FSDataInputStream raw = path.getFileSystem(executorConf()).open(path)) {
        raw.seek(dataOffset + firstRow[partition] * dim * Float.BYTES);
        DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(raw, 1 << 20));
        byte[] bytes = new byte[dim * Float.BYTES];
        while (it.hasNext()) {
          in.readFully(bytes);
          float[] v = new float[dim];
          ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
          rows.add(new Tuple2<>(it.next(), v));
        }
      }
      return rows.iterator();
    }, true);
  }

  private static JavaRDD<Tuple2<String, float[]>> fromEmbeddings(SparkSession spark, FileSystem fs, Path embeddings,
      String flag) throws IOException {
    boolean parquet = false;
    for (FileStatus f : fs.listStatus(embeddings)) {
      parquet |= f.getPath().getName().endsWith(".parquet");
    }
    StructType schema = DataTypes.createStructType(List.of(
        DataTypes.createStructField("id", DataTypes.StringType, true),
        DataTypes.createStructField("dense", DataTypes.createArrayType(DataTypes.FloatType), true)));
    Dataset<Row> table = parquet ? spark.read().parquet(embeddings.toString())
        : spark.read().schema(schema).json(embeddings.toString());
    if (!List.of(table.columns()).contains("dense")) {
      throw new IllegalArgumentException(flag + " " + embeddings + " has no dense vectors: embed with --return_dense");
    }
    String where = embeddings.toString();
    return table.select("id", "dense").javaRDD().map(row -> {
      if (row.isNullAt(1)) {
        throw new IllegalArgumentException("id " + row.getString(0) + " has no dense vector in " + where);
      }
      List<Float> values = row.getList(1);
      float[] v = new float[values.size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = values.get(i);
      }
      return new Tuple2<>(row.getString(0), v);
    });
  }

  private static Configuration executorConf() {
    return SparkEnv.get() == null ? new Configuration() : SparkHadoopUtil.get().newConfiguration(SparkEnv.get().conf());
  }
}
