package io.m3spark.eval;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Scores a run against qrels with trec_eval's semantics, query by query, and averages.
 *
 * <p>Which queries count (trec_eval's rules): queries in both run and qrels are scored; run queries without qrels are
 * skipped; qrels queries missing from the run are left out of the average, or score 0 and count with
 * {@link EvaluationOptions#completeQueries()} ({@code -c}). Queries whose qrels have no relevant document stay in,
 * scoring 0. Every group is counted in {@link QueryCounts}. With {@link EvaluationOptions#flagEmbeddingCompat()}, MRR
 * and R_cap follow FlagEmbedding instead: input-order ties and a sum divided by the number of qrels queries.
 *
 * <p>Memory: the qrels, one query's hits and the set of seen qids. An ungrouped TREC run (a qid reappearing) is
 * detected while streaming; scoring then restarts on a {@link PartitionedTrecRunReader}, and the listener is told to
 * {@linkplain PerQueryListener#restart() restart}.
 */
public final class Evaluator {
  private final EvaluationOptions options;
  private final List<String> keys = new ArrayList<>();
  private final List<Metric> keyMetric = new ArrayList<>();
  private final List<Integer> keyCutoff = new ArrayList<>();

  public Evaluator(EvaluationOptions options) {
    this.options = options;
    for (Metric m : Metrics.ALL) {
      for (int k : options.kValues()) {
        keys.add(Metrics.key(m, k));
        keyMetric.add(m);
        keyCutoff.add(k);
      }
    }
  }

  /** Every key this evaluator computes, in report order ({@code ndcg_at_1}, ..., {@code recall_cap_at_1000}). */
  public List<String> keys() {
    return List.copyOf(keys);
  }

  /** Reads and scores the run file, restarting on a partitioned reader if a TREC run turns out ungrouped. */
  public EvaluationResult evaluate(Qrels qrels, Path run, RunFormat format, PerQueryListener listener)
      throws IOException {
    try (RunReader reader = RunReader.open(run, format)) {
      return evaluate(qrels, reader, listener);
    } catch (UngroupedRunException e) {
      listener.restart();
      try (RunReader reader = new PartitionedTrecRunReader(run, options.partitionBytes())) {
        return evaluate(qrels, reader, listener);
      }
    }
  }

  /** Scores every query {@code run} yields. */
  public EvaluationResult evaluate(Qrels qrels, RunReader run, PerQueryListener listener) throws IOException {
    double[] sums = new double[keys.size()];
    Set<String> answered = new HashSet<>();
    int evaluated = 0;
    int withoutQrels = 0;
    int withoutRelevant = 0;
    for (QueryRun q = run.next(); q != null; q = run.next()) {
      Judgements judgements = qrels.get(q.qid());
      if (judgements == null) {
        withoutQrels++;
        continue;
      }
      answered.add(q.qid());
      double[] values = score(q, judgements);
      for (int i = 0; i < values.length; i++) {
        sums[i] += values[i];
      }
      evaluated++;
      if (judgements.relevantCount(options.relevanceLevel()) == 0) {
        withoutRelevant++;
      }
      listener.accept(new QueryMetrics(q.qid(), keys, values));
    }
    int missing = 0;
    for (String qid : qrels.queryIds()) {
      if (!answered.contains(qid)) {
        missing++;
        if (options.completeQueries()) {
          if (qrels.get(qid).relevantCount(options.relevanceLevel()) == 0) {
            withoutRelevant++;
          }
          listener.accept(new QueryMetrics(qid, keys, new double[keys.size()]));
        }
      }
    }
    int averagedOver = options.completeQueries() ? qrels.queryCount() : evaluated;
    Map<String, Double> means = new LinkedHashMap<>();
    for (int i = 0; i < keys.size(); i++) {
      boolean perQrels = options.flagEmbeddingCompat() && keyMetric.get(i).computedByFlagEmbedding();
      int divisor = perQrels ? qrels.queryCount() : averagedOver;
      means.put(keys.get(i), divisor == 0 ? 0.0 : sums[i] / divisor);
    }
    return new EvaluationResult(means, new QueryCounts(qrels.queryCount(), evaluated, withoutQrels, missing,
        withoutRelevant, averagedOver));
  }

  private double[] score(QueryRun q, Judgements judgements) {
    int level = options.relevanceLevel();
    RankedJudgements trec =
        RankedJudgements.of(TieOrder.TREC_EVAL.rank(q.hits()), judgements, level, options.maxK());
    RankedJudgements flagEmbedding = options.flagEmbeddingCompat()
        ? RankedJudgements.of(TieOrder.INPUT_ORDER.rank(q.hits()), judgements, level, options.maxK())
        : trec;
    double[] values = new double[keys.size()];
    for (int i = 0; i < values.length; i++) {
      Metric m = keyMetric.get(i);
      values[i] = m.value(m.computedByFlagEmbedding() ? flagEmbedding : trec, keyCutoff.get(i));
    }
    return values;
  }
}
