package io.m3spark.jobs.embed;

import io.m3spark.jobs.spark.DeviceStages;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Embeds an RDD of text records on the executors with the embed job's machinery (the JVM-wide model cache, length
 * sorting and token-budget batches of {@link PartitionEmbedder}), for jobs that need embeddings as an intermediate
 * result (mine, evaluate) rather than as files. The records are put in key order first, so that partitions, and with
 * them batches and results, do not depend on how the input happened to be partitioned. On a cluster the embedding
 * runs in a device stage of its own ({@link DeviceStages#separate}).
 */
public final class RecordEmbedder {

  private RecordEmbedder() {}

  /**
   * The embeddings of {@code records} in key order, not cached: callers persist what they read more than once.
   *
   * @param records input order (any sortable key) → the exact text to embed
   */
  public static JavaRDD<EmbeddedRecord> embed(JavaSparkContext sc, JavaPairRDD<Long, TextRecord> records,
      EmbedSettings settings, int partitions) {
    return DeviceStages.separate(records.sortByKey(true, partitions)
        .mapPartitions(new PartitionEmbedder(settings, sc.sc().longAccumulator(), sc.sc().longAccumulator(),
            sc.sc().collectionAccumulator())));
  }
}
