package io.m3spark.jobs.search;

import io.m3spark.jobs.embed.EmbeddedRecord;
import io.m3spark.jobs.spark.TaskDevices;
import io.m3spark.model.Scores;
import io.m3spark.search.BoundedTopK;
import io.m3spark.search.ColbertScorer;
import io.m3spark.search.Hit;
import io.m3spark.search.RetrievalMode;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * Re-scores given (query, passage) candidates with {@link RetrievalMode} scores from the stored dense, sparse and
 * ColBERT representations and keeps each query's best k — the BGE-M3 paper's way of evaluating colbert, dense+sparse and
 * all: a re-ranking of the dense and sparse candidates, not an exhaustive search.
 *
 * <p>Each candidate's three scores are computed once for all the modes asked for. Distribution: candidates are grouped
 * by passage and co-grouped with the corpus, so each passage (ColBERT vectors included, the large part) is shuffled once,
 * not once per query that retrieved it, and its ColBERT scores against all those queries are one batched product
 * ({@link ColbertScorer}, on the task's device). The query representations are broadcast: an evaluation's query set is
 * small next to its corpus (FlagEmbedding holds all of them in memory too).
 */
public final class CandidateReranker {

  /** The three scores of one candidate (those no requested mode uses are 0). */
  public record PairScore(String docid, double dense, double sparse, double colbert) implements Serializable {}

  private CandidateReranker() {}

  /**
   * @param candidates (qid, docid) pairs, each at most once
   * @param weights [dense, sparse, colbert] for the combined modes
   * @param devices devices for local runs (see {@code TaskDevices}); empty = the task's GPU, else the CPU
   * @return per mode: qid → its best k candidates, best first (scores as float)
   */
  public static Map<RetrievalMode, JavaPairRDD<String, Hit[]>> rerank(JavaSparkContext sc,
      JavaRDD<EmbeddedRecord> corpus, Map<String, EmbeddedRecord> queries, JavaPairRDD<String, String> candidates,
      List<RetrievalMode> modes, double[] weights, int k, int partitions, List<String> devices) {
    boolean sparse = modes.stream().anyMatch(RetrievalMode::usesSparse);
    boolean colbert = modes.stream().anyMatch(RetrievalMode::usesColbert);
    Broadcast<Map<String, EmbeddedRecord>> queryRecords = sc.broadcast(queries);
    JavaPairRDD<String, EmbeddedRecord> passages = corpus.mapToPair(r -> new Tuple2<>(r.id(), r));
    JavaPairRDD<String, PairScore> scored = passages.cogroup(candidates.mapToPair(Tuple2::swap), partitions)
        .mapPartitionsToPair(groups -> {
          List<Tuple2<String, PairScore>> out = new ArrayList<>();
          try (ColbertScorer colbertScorer = colbert ? new ColbertScorer(TaskDevices.forCurrentTask(devices)) : null) {
            while (groups.hasNext()) {
              var group = groups.next()._2();
              List<String> qids = new ArrayList<>();
              group._2().forEach(qids::add);
              for (EmbeddedRecord passage : group._1()) {
                out.addAll(score(passage, qids, queryRecords.value(), sparse, colbertScorer));
              }
            }
          }
          return out.iterator();
        })
        .persist(StorageLevel.MEMORY_AND_DISK());
    Map<RetrievalMode, JavaPairRDD<String, Hit[]>> byMode = new LinkedHashMap<>();
    for (RetrievalMode mode : modes) {
      byMode.put(mode, scored
          .mapValues(s -> new Hit(s.docid(), (float) mode.score(s.dense(), s.sparse(), s.colbert(), weights)))
          .combineByKey(hit -> new BoundedTopK(k).add(hit), BoundedTopK::add, BoundedTopK::merge, partitions)
          .mapValues(BoundedTopK::sorted));
    }
    return byMode;
  }

  /** One passage against the queries that retrieved it; colbert only when a scorer is given. */
  private static List<Tuple2<String, PairScore>> score(EmbeddedRecord passage, List<String> qids,
      Map<String, EmbeddedRecord> queries, boolean sparse, ColbertScorer colbertScorer) {
    double[] colbert = new double[qids.size()];
    if (colbertScorer != null) {
      colbert = colbertScorer.scores(passage.colbert(), qids.stream().map(q -> queries.get(q).colbert()).toList());
    }
    List<Tuple2<String, PairScore>> out = new ArrayList<>(qids.size());
    for (int i = 0; i < qids.size(); i++) {
      EmbeddedRecord query = queries.get(qids.get(i));
      double s = sparse
          ? Scores.sparse(query.sparseIds(), query.sparseWeights(), passage.sparseIds(), passage.sparseWeights()) : 0;
      out.add(new Tuple2<>(qids.get(i),
          new PairScore(passage.id(), Scores.dense(query.dense(), passage.dense()), s, colbert[i])));
    }
    return out;
  }
}
