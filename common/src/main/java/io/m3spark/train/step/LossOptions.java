package io.m3spark.train.step;

import java.io.Serializable;

/**
 * What the training loss is made of (flagembedding-behaviour.md §4.5–4.7).
 *
 * @param temperature τ, dividing every score
 * @param unified {@code unified_finetuning}: dense, sparse, ColBERT and ensemble losses; off trains the dense loss only
 * @param selfDistill {@code use_self_distill} (only with {@code unified})
 * @param selfDistillStartStep self-distillation runs for forward passes whose count of earlier passes exceeds this
 * @param kdLossType the reranker-distillation loss, or null without {@code knowledge_distillation}
 * @param crossDevice {@code negatives_cross_device}: the dense loss over every rank's passages
 */
public record LossOptions(float temperature, boolean unified, boolean selfDistill, long selfDistillStartStep,
    KdLossType kdLossType, boolean crossDevice) implements Serializable {

  public LossOptions {
    if (!(temperature > 0)) {
      throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
    }
  }

  /** Whether the forward pass numbered {@code forwardIndex} (0-based, per rank) adds self-distillation. */
  public boolean selfDistillAt(long forwardIndex) {
    return unified && selfDistill && forwardIndex > selfDistillStartStep;
  }
}
