package io.m3spark.eval;

/**
 * Which queries an evaluation used and which it could not, so none is dropped silently.
 *
 * @param qrelsQueries queries in the qrels
 * @param evaluated queries in both the run and the qrels (scored on their hits)
 * @param runQueriesWithoutQrels run queries with no qrels: skipped, as by trec_eval and pytrec_eval
 * @param qrelsQueriesNotInRun qrels queries the run never answered: scored 0 and averaged only with
 *     {@code complete_queries}
 * @param withoutRelevant averaged queries whose qrels hold no document at the relevance level: they score 0 on every
 *     metric but nDCG and stay in the average, as in trec_eval
 * @param averagedOver the divisor of the averages (FlagEmbedding-computed metrics in compat mode use
 *     {@code qrelsQueries})
 */
public record QueryCounts(int qrelsQueries, int evaluated, int runQueriesWithoutQrels, int qrelsQueriesNotInRun,
    int withoutRelevant, int averagedOver) {}
