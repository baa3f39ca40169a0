/**
 * The numerical core of BGE-M3 unified fine-tuning (flagembedding-behaviour.md §4.2, §4.5–4.7): differentiable
 * representations of a batch ({@link io.m3spark.train.EncodedBatch}), the in-batch score matrices
 * ({@link io.m3spark.train.ScoreMatrices}), their cross-device ({@link io.m3spark.train.CrossDeviceScores}) and
 * no-in-batch ({@link io.m3spark.train.NoInBatchScores}) variants, one class per loss (InfoNCE, unified, self-distillation, the two reranker
 * KD variants), and the optimizer side (AdamW, gradient clipping, learning-rate schedules, data-parallel
 * {@link io.m3spark.train.GradientSync}). Gradients come from DJL's
 * {@code GradientCollector}; detaching uses {@code stopGradient()}, never a cast.
 */
package io.m3spark.train;
