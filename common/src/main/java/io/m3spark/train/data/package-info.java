/**
 * Training data for BGE-M3 unified fine-tuning with FlagEmbedding's semantics (flagembedding-behaviour.md §4.3, §4.4,
 * §9.2), pure Java. Loading ({@link io.m3spark.train.data.TrainDataLoader}) validates every record once and gives
 * datasets whose records are read from disk on demand; an {@link io.m3spark.train.data.EpochPlan} says
 * which records each rank trains at each step; a {@link io.m3spark.train.data.DataCursor} walks it from a saved
 * {@link io.m3spark.train.data.DataPosition}; the {@link io.m3spark.train.data.BatchAssembler} samples groups
 * ({@link io.m3spark.train.data.GroupSampler}) and tokenises them ({@link io.m3spark.train.data.Collator}).
 * Everything random derives from the seed, the epoch and the record, so runs, ranks and resumes agree.
 */
package io.m3spark.train.data;
