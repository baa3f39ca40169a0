package io.m3spark.eval;

/**
 * One retrieval metric evaluated at a cut-off k for one query. The aggregate is the mean over queries (see
 * {@link Evaluator} for which queries). Implementations are stateless.
 */
public interface Metric {
  /** FlagEmbedding's family name, e.g. {@code ndcg}; the result keys are {@code <name>_at_<k>}. */
  String name();

  /** The value for one query at cut-off {@code k} ≥ 1, in [0, 1]. */
  double value(RankedJudgements query, int k);

  /**
   * Whether FlagEmbedding computes this metric itself instead of through pytrec_eval (MRR and R_cap): with
   * {@code flagembedding_compat} it then ranks ties in input order and divides by the number of qrels queries.
   */
  default boolean computedByFlagEmbedding() {
    return false;
  }
}
