/**
 * Retrieval evaluation with trec_eval's semantics and FlagEmbedding's names and reports.
 *
 * <ul>
 *   <li>Inputs: {@link io.m3spark.eval.QrelsReader} (TREC or FlagEmbedding JSONL qrels, held in memory) and
 *       {@link io.m3spark.eval.RunReader} (TREC run, FlagEmbedding search-results JSON, our search JSONL), streamed
 *       query by query. Bad input fails with {@code file:line: field ...}; a document twice in one query's results
 *       and a (qid, docid) judged twice are errors, as in trec_eval ("duplicate docs").</li>
 *   <li>Metrics: one class per family ({@link io.m3spark.eval.NdcgAtK}, {@link io.m3spark.eval.MapAtK},
 *       {@link io.m3spark.eval.RecallAtK}, {@link io.m3spark.eval.PrecisionAtK}, {@link io.m3spark.eval.MrrAtK},
 *       {@link io.m3spark.eval.RecallCapAtK}); ranking by score then docid descending
 *       ({@link io.m3spark.eval.TieOrder}).</li>
 *   <li>{@link io.m3spark.eval.Evaluator}: averages and per-query values keyed {@code ndcg_at_10} etc., with
 *       {@link io.m3spark.eval.QueryCounts} for the queries it could not score. Ungrouped TREC runs are detected and
 *       re-read through {@link io.m3spark.eval.PartitionedTrecRunReader} (hash partitions on disk).</li>
 *   <li>Reports: {@link io.m3spark.eval.JsonReport}, {@link io.m3spark.eval.MarkdownReport} (FlagEmbedding's
 *       eval_results.md, several models × splits), {@link io.m3spark.eval.PerQueryJsonlWriter}; all written
 *       atomically.</li>
 * </ul>
 */
package io.m3spark.eval;
