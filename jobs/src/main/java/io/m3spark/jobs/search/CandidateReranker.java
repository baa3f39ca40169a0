package io.m3spark.jobs.search;

import io.m3spark.jobs.embed.EmbeddedRecord;
import io.m3spark.model.Scores;
import io.m3spark.search.BoundedTopK;
import io.m3spark.search.Hit;
import io.m3spark.search.RetrievalMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import scala.Tuple2;

/**
 * Re-scores given (query, passage) candidates with a {@link RetrievalMode}'s score from the stored dense, sparse and
 * ColBERT representations and keeps each query's best k — the BGE-M3 paper's way of evaluating colbert, dense+sparse and
 * all: a re-ranking of the dense and sparse candidates, not an exhaustive search.
 *
 * <p>Distribution: candidates are grouped by passage and co-grouped with the corpus, so each passage (ColBERT vectors
 * included, the large part) is shuffled once, not once per query that retrieved it. The query representations are
 * broadcast: an evaluation's query set is small next to its corpus (FlagEmbedding holds all of them in memory too).
 */
public final class CandidateReranker {

  private CandidateReranker() {}

  /**
   * @param candidates (qid, docid) pairs, each at most once
   * @param weights [dense, sparse, colbert] for the combined modes
   * @return qid → its best k candidates, best first (scores as float)
   */
  public static JavaPairRDD<String, Hit[]> rerank(JavaSparkContext sc, JavaRDD<EmbeddedRecord> corpus,
      Map<String, EmbeddedRecord> queries, JavaPairRDD<String, String> candidates, RetrievalMode mode,
      double[] weights, int k, int partitions) {
    Broadcast<Map<String, EmbeddedRecord>> queryRecords = sc.broadcast(queries);
    JavaPairRDD<String, EmbeddedRecord> passages = corpus.mapToPair(r -> new Tuple2<>(r.id(), r));
    JavaPairRDD<String, String> qidsByDocid = candidates.mapToPair(Tuple2::swap);
    return passages.cogroup(qidsByDocid, partitions)
        .flatMapToPair(t -> {
          List<Tuple2<String, Hit>> out = new ArrayList<>();
          for (EmbeddedRecord passage : t._2()._1()) {
            for (String qid : t._2()._2()) {
              double score = score(queryRecords.value().get(qid), passage, mode, weights);
              out.add(new Tuple2<>(qid, new Hit(passage.id(), (float) score)));
            }
          }
          return out.iterator();
        })
        .combineByKey(hit -> new BoundedTopK(k).add(hit), BoundedTopK::add, BoundedTopK::merge, partitions)
        .mapValues(BoundedTopK::sorted);
  }

  /** The mode's score of one pair; representations the mode does not use are not touched (they may be absent). */
  static double score(EmbeddedRecord query, EmbeddedRecord passage, RetrievalMode mode, double[] weights) {
    double dense = mode == RetrievalMode.COLBERT ? 0 : Scores.dense(query.dense(), passage.dense());
    double sparse = mode.usesSparse()
        ? Scores.sparse(query.sparseIds(), query.sparseWeights(), passage.sparseIds(), passage.sparseWeights()) : 0;
    double colbert = mode.usesColbert() ? Scores.colbert(query.colbert(), passage.colbert()) : 0;
    return mode.score(dense, sparse, colbert, weights);
  }
}
