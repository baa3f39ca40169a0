package io.m3spark.jobs.embed;

import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import scala.Tuple2;

/**
 * Finds repeated ids without bringing ids to the driver: the first occurrence (in input order) of every id is found with a
 * {@code reduceByKey}, and every other occurrence becomes a bad record that names where the first one is. Only
 * {@code (id, order, position)} is shuffled, never the texts.
 */
public final class DuplicateIds {

  private DuplicateIds() {}

  public static JavaRDD<BadRecord> find(JavaRDD<TextRecord> records) {
    JavaPairRDD<String, Tuple2<Long, SourcePosition>> occurrences =
        records.mapToPair(r -> new Tuple2<>(r.id(), new Tuple2<>(r.order(), r.position())));
    JavaPairRDD<String, Tuple2<Long, SourcePosition>> first =
        occurrences.reduceByKey((a, b) -> a._1() <= b._1() ? a : b);
    return occurrences.join(first)
        .filter(pair -> !pair._2()._1()._1().equals(pair._2()._2()._1()))
        .map(pair -> {
          Tuple2<Long, SourcePosition> occurrence = pair._2()._1();
          SourcePosition firstPosition = pair._2()._2()._2();
          return new BadRecord(occurrence._1(), occurrence._2(), "id",
              "duplicate id \"" + pair._1() + "\" (first at " + firstPosition + ")", null);
        });
  }
}
