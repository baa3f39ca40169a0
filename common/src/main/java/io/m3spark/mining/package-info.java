/**
 * Hard-negative sampling (FlagEmbedding's hn_mine per-query step, seeded and with sentence-transformers' score
 * filters) and the mining statistics and report. Pure Java: the Spark {@code mine} job supplies the ranked hits, the
 * positives' scores and the top-up corpus, and calls {@link io.m3spark.mining.NegativeSampler} once per record.
 */
package io.m3spark.mining;
