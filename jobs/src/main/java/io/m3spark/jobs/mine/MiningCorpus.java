package io.m3spark.jobs.mine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.m3spark.io.StrictJson;
import io.m3spark.io.TrainRecord;
import io.m3spark.jobs.embed.InputFiles;
import io.m3spark.jobs.embed.NumberedLines;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import scala.Tuple2;

/**
 * The texts searched for negatives (spec §1.2 step 2): the distinct {@code pos} ∪ {@code neg} texts of the input, or
 * the distinct {@code text}s of the candidate pool alone. Each text's id is its index in first-appearance order (input
 * order; within a record pos before neg), so ids do not depend on partitioning; as docids they are zero-padded so that
 * the search's docid tie-break also follows first appearance. Pool lines are read as every input is: strict UTF-8,
 * byte-order mark dropped ({@link NumberedLines.Line#text}), no repeated keys ({@link StrictJson}); a bad line stops mining with its
 * file and line, since a pool text left out would silently change every query's negatives.
 */
final class MiningCorpus {
  /** Room for the texts of one record in a first-appearance key: record number × this + slot. */
  private static final long SLOTS_PER_RECORD = 1L << 20;

  private MiningCorpus() {}

  /** The docid of corpus text {@code index}. */
  static String docid(long index) {
    return String.format(Locale.ROOT, "%012d", index);
  }

  /** Distinct pos ∪ neg texts of the records, in first-appearance order. */
  static List<String> fromRecords(JavaPairRDD<Long, TrainRecord> records) {
    return firstAppearanceOrder(records.flatMapToPair(r -> {
      List<Tuple2<String, Long>> out = new ArrayList<>();
      long slot = r._1() * SLOTS_PER_RECORD;
      for (String p : r._2().pos()) {
        out.add(new Tuple2<>(p, slot++));
      }
      for (String n : r._2().neg()) {
        out.add(new Tuple2<>(n, slot++));
      }
      return out.iterator();
    }));
  }

  /** Distinct {@code text} values of the pool's JSONL lines, in first-appearance order. */
  static List<String> fromPool(JavaSparkContext sc, String pool, Configuration conf) {
    List<InputFiles.InputFile> files = InputFiles.resolve(pool, conf);
    List<String> texts = firstAppearanceOrder(NumberedLines.read(sc, files).flatMapToPair(line -> {
      String raw = line.text().strip();
      if (raw.isEmpty()) {
        return List.<Tuple2<String, Long>>of().iterator();
      }
      JsonNode node;
      try {
        node = StrictJson.READER.readTree(raw);
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException(line.file() + ":" + line.number() + ": malformed JSON in --candidate_pool: "
            + e.getOriginalMessage());
      }
      if (node == null || !node.path("text").isTextual()) {
        throw new IllegalArgumentException(line.file() + ":" + line.number()
            + ": a candidate pool line must be an object with a string \"text\"");
      }
      return List.of(new Tuple2<>(node.get("text").asText(), line.order())).iterator();
    }));
    if (texts.isEmpty()) {
      throw new IllegalArgumentException("--candidate_pool " + pool + " has no texts");
    }
    return texts;
  }

  private static List<String> firstAppearanceOrder(JavaPairRDD<String, Long> textAndKey) {
    return textAndKey.reduceByKey(Math::min)
        .mapToPair(Tuple2::swap)
        .sortByKey()
        .values()
        .collect();
  }
}
