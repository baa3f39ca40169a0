package io.m3spark.jobs.embed;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.collection.JavaConverters;

/**
 * The Parquet layout of embeddings: {@code id string, dense array<float>, sparse map<string,float>,
 * colbert array<array<float>>}; a representation that was not asked for has no column at all.
 */
public final class EmbeddingParquet {

  private EmbeddingParquet() {}

  public static StructType schema(EmbedSettings s) {
    List<StructField> fields = new ArrayList<>();
    fields.add(DataTypes.createStructField("id", DataTypes.StringType, false));
    if (s.returnDense()) {
      fields.add(DataTypes.createStructField("dense", DataTypes.createArrayType(DataTypes.FloatType, false), true));
    }
    if (s.returnSparse()) {
      fields.add(DataTypes.createStructField("sparse",
          DataTypes.createMapType(DataTypes.StringType, DataTypes.FloatType, false), true));
    }
    if (s.returnColbert()) {
      fields.add(DataTypes.createStructField("colbert",
          DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.FloatType, false), false), true));
    }
    return DataTypes.createStructType(fields);
  }

  public static Row row(EmbeddedRecord r, EmbedSettings s) {
    List<Object> values = new ArrayList<>(4);
    values.add(r.id());
    if (s.returnDense()) {
      values.add(seq(r.dense()));
    }
    if (s.returnSparse()) {
      Map<String, Float> sparse = new LinkedHashMap<>();
      for (int i = 0; i < r.sparseIds().length; i++) {
        sparse.put(Integer.toString(r.sparseIds()[i]), r.sparseWeights()[i]);
      }
      values.add(JavaConverters.mapAsScalaMap(sparse));
    }
    if (s.returnColbert()) {
      List<Object> vectors = new ArrayList<>(r.colbert().length);
      for (float[] v : r.colbert()) {
        vectors.add(seq(v));
      }
      values.add(JavaConverters.asScalaBuffer(vectors).toSeq());
    }
    return RowFactory.create(values.toArray());
  }

  private static Object seq(float[] values) {
    List<Float> boxed = new ArrayList<>(values.length);
    for (float v : values) {
      boxed.add(v);
    }
    return JavaConverters.asScalaBuffer(boxed).toSeq();
  }
}
