package io.m3spark.jobs.search;

import io.m3spark.jobs.spark.DeviceStages;
import io.m3spark.search.QueryHits;
import io.m3spark.search.SearchOptions;
import io.m3spark.search.VectorBlock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * Exact distributed top-k inner-product search, as a library call for the search, mine and evaluate jobs.
 *
 * <ol>
 *   <li>The corpus is cut into shards of at most {@code corpusShardSize} vectors and the queries into blocks of at most
 *       {@code queryBlockSize}, inside their partitions (no shuffle of the vectors unless there are too few partitions to
 *       keep the cluster busy).</li>
 *   <li>Shards are crossed with query blocks ({@code cartesian}); each task scores its pairs with {@link ShardSearcher},
 *       one matmul + topK per pair, so the largest temporary is one block × one shard of scores; on a cluster this is
 *       a device stage ({@link DeviceStages}).</li>
 *   <li>Partial lists are merged per query with {@code reduceByKey} and a merge bounded to k (map-side too), into
 *       partitions that hold contiguous ranges of query positions ({@link QueryRangePartitioner}), then sorted within
 *       each partition: results come out in the queries' input order after a single shuffle.</li>
 * </ol>
 * Why a cartesian product rather than broadcasting the queries: it works for query sets of any size (mining searches
 * with every training query, which can be larger than the corpus) without holding them on the driver, and with the
 * shard as the outer side each task copies a shard to the device once for all its query blocks.
 *
 * <p>Results are in {@link io.m3spark.search.HitOrder}; they are the same for every shard size, block size and
 * partitioning (scores are fp32 matmul values, which can differ in the last bits between block shapes).
 */
public final class DistributedSearch {

  private DistributedSearch() {}

  /** {@link #search(SparkSession, JavaRDD, JavaRDD, int, SearchOptions, List)} on the CPU, or the task's GPU. */
  public static JavaPairRDD<Long, QueryHits> search(SparkSession spark, JavaRDD<Tuple2<String, float[]>> corpus,
      JavaRDD<Tuple2<String, float[]>> queries, int k, SearchOptions options) {
    return search(spark, corpus, queries, k, options, List.of());
  }

  /**
   * The top {@code k} documents of every query ({@code min(k, corpus size)} of them: no padding).
   *
   * @param corpus (docid, vector) pairs
   * @param queries (qid, vector) pairs; a query's position in this RDD's order is its key in the result
   * @param devices devices for local runs (see {@code TaskDevices}); empty = the task's GPU, else the CPU
   * @return query position → its hits, sorted by position
   * @throws IllegalArgumentException for an empty corpus, or vectors of different dimensions
   */
  public static JavaPairRDD<Long, QueryHits> search(SparkSession spark, JavaRDD<Tuple2<String, float[]>> corpus,
      JavaRDD<Tuple2<String, float[]>> queries, int k, SearchOptions options, List<String> devices) {
    if (k < 1) {
      throw new IllegalArgumentException("top k must be >= 1, got " + k);
    }
    int parallelism = spark.sparkContext().defaultParallelism();
    JavaRDD<VectorBlock> shards = spread(blocks(corpus.zipWithIndex(), options.corpusShardSize()), parallelism);
    JavaRDD<VectorBlock> queryBlocks = spread(blocks(queries.zipWithIndex(), options.queryBlockSize()),
        Math.max(1, parallelism / shards.getNumPartitions()));

    List<Integer> corpusDims = shards.map(VectorBlock::dim).distinct().collect();
    List<Integer> queryDims = queryBlocks.map(VectorBlock::dim).distinct().collect();
    long queryCount = queryBlocks.map(b -> (long) b.rows()).fold(0L, Long::sum);
    if (corpusDims.isEmpty()) {
      throw new IllegalArgumentException("the corpus is empty: nothing to search");
    }
    if (corpusDims.size() > 1) {
      throw new IllegalArgumentException("corpus vectors have different dimensions: " + corpusDims);
    }
    if (queryDims.size() > 1) {
      throw new IllegalArgumentException("query vectors have different dimensions: " + queryDims);
    }
    if (!queryDims.isEmpty() && !queryDims.get(0).equals(corpusDims.get(0))) {
      throw new IllegalArgumentException("query vectors have dimension " + queryDims.get(0)
          + " but corpus vectors have dimension " + corpusDims.get(0) + ": were both embedded with the same model?");
    }
    QueryRangePartitioner byQuery =
        new QueryRangePartitioner(queryCount, Math.max(1, queryBlocks.getNumPartitions()));
    return DeviceStages.assign(shards.cartesian(queryBlocks)
        .mapPartitionsToPair(new ShardSearcher(k, options.fp16(), devices)))
        .reduceByKey(byQuery, (a, b) -> a.merge(b, k))
        .mapPartitionsToPair(DistributedSearch::inQueryOrder, true);
  }

  /** One partition's merged lists sorted by query position (partitions already hold contiguous ranges). */
  private static Iterator<Tuple2<Long, QueryHits>> inQueryOrder(Iterator<Tuple2<Long, HitListWire>> merged) {
    List<Tuple2<Long, QueryHits>> out = new ArrayList<>();
    merged.forEachRemaining(t -> out.add(new Tuple2<>(t._1(), t._2().hits())));
    out.sort((a, b) -> Long.compare(a._1(), b._1()));
    return out.iterator();
  }

  /** Packs each partition's rows into blocks of at most {@code size}; keys are the rows' positions. */
  static JavaRDD<VectorBlock> blocks(JavaPairRDD<Tuple2<String, float[]>, Long> rows, int size) {
    return rows.mapPartitions((Iterator<Tuple2<Tuple2<String, float[]>, Long>> it) -> {
      List<VectorBlock> out = new ArrayList<>();
      List<String> ids = new ArrayList<>(size);
      List<Long> ordinals = new ArrayList<>(size);
      List<float[]> vectors = new ArrayList<>(size);
      while (it.hasNext()) {
        Tuple2<Tuple2<String, float[]>, Long> row = it.next();
        ids.add(row._1()._1());
        vectors.add(row._1()._2());
        ordinals.add(row._2());
        if (ids.size() == size || !it.hasNext()) {
          out.add(VectorBlock.of(ids, ordinals, vectors, vectors.get(0).length));
          ids.clear();
          ordinals.clear();
          vectors.clear();
        }
      }
      return out.iterator();
    });
  }

  /**
   * Caches the blocks (a cartesian product reads each side once per partition of the other), spread over more
   * partitions when there are fewer than {@code target} tasks could use. The caches are dropped by Spark's context
   * cleaner once the returned RDD is no longer referenced.
   */
  private static JavaRDD<VectorBlock> spread(JavaRDD<VectorBlock> blocks, int target) {
    blocks = blocks.persist(StorageLevel.MEMORY_AND_DISK());
    if (blocks.getNumPartitions() >= target) {
      return blocks;
    }
    long count = blocks.count();
    int wanted = (int) Math.min(target, Math.max(1, count));
    return wanted > blocks.getNumPartitions() ? blocks.repartition(wanted).persist(StorageLevel.MEMORY_AND_DISK())
        : blocks;
  }
}
