package io.m3spark.jobs.search;

import io.m3spark.jobs.embed.EmbeddedRecord;
import io.m3spark.search.BoundedTopK;
import io.m3spark.search.Hit;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import scala.Tuple2;

/**
 * Exact lexical (BGE-M3 sparse) top-k search as an inverted index on Spark: passages' and queries' (token id, weight)
 * pairs are joined on the token id, the products are summed per (query, passage), and each query keeps its best k in
 * {@link io.m3spark.search.HitOrder} (score descending, then docid ascending, as dense search). Only pairs that share a
 * token ever exist, so queries × corpus is never materialised; a passage sharing no token with a query is not a hit
 * (its score would be 0), so a query can get fewer than k hits, or none.
 *
 * <p>Scores are summed in double and reported as float, as dense search reports fp32 scores.
 */
public final class SparseSearch {

  private SparseSearch() {}

  /**
   * @param corpus passages embedded with sparse weights (ids are docids)
   * @param queries queries embedded with sparse weights (ids are qids)
   * @return qid → its hits, best first, for every query with at least one hit
   */
  public static JavaPairRDD<String, Hit[]> search(JavaRDD<EmbeddedRecord> corpus, JavaRDD<EmbeddedRecord> queries,
      int k, int partitions) {
    if (k < 1) {
      throw new IllegalArgumentException("top k must be >= 1, got " + k);
    }
    JavaPairRDD<Integer, Tuple2<String, Float>> passageTokens = corpus.flatMapToPair(SparseSearch::postings);
    JavaPairRDD<Integer, Tuple2<String, Float>> queryTokens = queries.flatMapToPair(SparseSearch::postings);
    return queryTokens.join(passageTokens, partitions)
        .mapToPair(t -> new Tuple2<>(new Tuple2<>(t._2()._1()._1(), t._2()._2()._1()),
            (double) t._2()._1()._2() * t._2()._2()._2()))
        .reduceByKey(Double::sum, partitions)
        .mapToPair(t -> new Tuple2<>(t._1()._1(), new Hit(t._1()._2(), (float) (double) t._2())))
        .combineByKey(hit -> new BoundedTopK(k).add(hit), BoundedTopK::add, BoundedTopK::merge, partitions)
        .mapValues(BoundedTopK::sorted);
  }

  /** (token id, (record id, weight)) for every weighted token of a record. */
  private static java.util.Iterator<Tuple2<Integer, Tuple2<String, Float>>> postings(EmbeddedRecord r) {
    if (r.sparseIds() == null) {
      throw new IllegalArgumentException("record " + r.id() + " was embedded without sparse weights");
    }
    List<Tuple2<Integer, Tuple2<String, Float>>> out = new ArrayList<>(r.sparseIds().length);
    for (int i = 0; i < r.sparseIds().length; i++) {
      out.add(new Tuple2<>(r.sparseIds()[i], new Tuple2<>(r.id(), r.sparseWeights()[i])));
    }
    return out.iterator();
  }
}
