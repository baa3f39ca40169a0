package io.m3spark.jobs.embed;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Reads Parquet files with their {@code id}, {@code text} and optional {@code title} columns. Rows are numbered 1-based from
 * Spark's {@code _metadata.row_index} (the row's place in its file), which does not depend on how Spark splits the file.
 * String columns are read as raw bytes so that invalid UTF-8 is reported instead of being replaced.
 */
public final class ParquetSource {

  private ParquetSource() {}

  public static JavaRDD<ParsedRecord> read(SparkSession spark, List<InputFiles.InputFile> files, TextComposer composer) {
    List<JavaRDD<ParsedRecord>> perFile = new ArrayList<>();
    for (InputFiles.InputFile file : files) {
      Dataset<Row> frame = spark.read().parquet(file.path());
      StructType schema = frame.schema();
      boolean hasId = hasColumn(schema, "id");
      boolean hasText = hasColumn(schema, "text");
      Dataset<Row> selected = frame.select(
          col("_metadata.row_index"), rawColumn(schema, "id"), rawColumn(schema, "text"), rawColumn(schema, "title"));
      int fileIndex = file.index();
      String path = file.path();
      perFile.add(selected.javaRDD().map(row -> {
        long number = row.getLong(0) + 1;
        SourcePosition position = new SourcePosition(path, number, true);
        return RecordValidator.fromParquetRow(SourcePosition.order(fileIndex, number), position,
            row.get(1), row.get(2), row.get(3), hasId, hasText, composer);
      }));
    }
    return JavaSparkContext.fromSparkContext(spark.sparkContext()).union(perFile.toArray(JavaRDD[]::new));
  }

  private static boolean hasColumn(StructType schema, String name) {
    return Arrays.asList(schema.fieldNames()).contains(name);
  }

  /** The column as bytes when it is a string, as is otherwise, or a null literal when the file lacks it. */
  private static Column rawColumn(StructType schema, String name) {
    if (!hasColumn(schema, name)) {
      return lit(null).as(name);
    }
    boolean isString = schema.apply(name).dataType().equals(DataTypes.StringType);
    return isString ? col(name).cast(DataTypes.BinaryType).as(name) : col(name);
  }
}
