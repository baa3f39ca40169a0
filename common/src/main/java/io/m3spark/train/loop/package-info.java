/**
 * The per-rank training loop of {@code m3spark train}: optimizer steps over the data plan, progress and loss logging,
 * checkpoints and exact resume, and the final model folder.
 */
package io.m3spark.train.loop;
