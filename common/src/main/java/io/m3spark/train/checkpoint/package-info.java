/**
 * What a training run leaves on disk (flagembedding-behaviour.md §4.8): resumable {@code checkpoint-N} folders
 * ({@link io.m3spark.train.checkpoint.CheckpointWriter}, {@link io.m3spark.train.checkpoint.CheckpointReader}), each
 * appearing whole or not at all, the final model folder with the base heads kept for dense-only runs
 * ({@link io.m3spark.train.checkpoint.FinalModelWriter}), and the loss history as JSON and a chart
 * ({@link io.m3spark.train.checkpoint.LossLog}).
 */
package io.m3spark.train.checkpoint;
