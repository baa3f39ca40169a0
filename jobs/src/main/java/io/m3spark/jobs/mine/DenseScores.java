package io.m3spark.jobs.mine;

import java.util.HashMap;
import java.util.Map;
import org.apache.spark.api.java.JavaPairRDD;
import scala.Tuple2;

/**
 * Dense scores of (record, text) pairs that the search did not produce — the positives and the random top-ups — as
 * inner products of the query vector with the text vector, computed where the vectors are (two joins), not on the driver.
 */
final class DenseScores {

  private DenseScores() {}

  /**
   * @param wanted text index → (record number, slot in that record's list)
   * @param texts text index → vector
   * @param queries record number → query vector
   * @return record number → slot → score
   */
  static JavaPairRDD<Long, Map<Integer, Float>> score(JavaPairRDD<Long, Tuple2<Long, Integer>> wanted,
      JavaPairRDD<Long, float[]> texts, JavaPairRDD<Long, float[]> queries) {
    return wanted.join(texts)
        .mapToPair(t -> new Tuple2<>(t._2()._1()._1(), new Tuple2<>(t._2()._1()._2(), t._2()._2())))
        .join(queries)
        .mapToPair(t -> new Tuple2<>(t._1(), Map.of(t._2()._1()._1(), dot(t._2()._2(), t._2()._1()._2()))))
        .reduceByKey((a, b) -> {
          Map<Integer, Float> merged = new HashMap<>(a);
          merged.putAll(b);
          return merged;
        });
  }

  static float dot(float[] a, float[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += a[i] * b[i];
    }
    return (float) sum;
  }
}
