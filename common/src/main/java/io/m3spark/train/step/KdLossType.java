package io.m3spark.train.step;

import java.util.Locale;

/** How reranker scores are distilled ({@code --kd_loss_type}, flagembedding-behaviour.md §4.6). */
public enum KdLossType {
  /** Cross-entropy to the teacher's group distribution plus InfoNCE ({@link io.m3spark.train.KlDivKdLoss}). */
  KL_DIV,
  /** Every group member a weighted positive ({@link io.m3spark.train.M3KdLoss}). */
  M3_KD_LOSS;

  /** FlagEmbedding's spelling: {@code kl_div} or {@code m3_kd_loss}. */
  public static KdLossType parse(String name) {
    for (KdLossType t : values()) {
      if (t.flagName().equals(name.trim().toLowerCase(Locale.ROOT))) {
        return t;
      }
    }
    throw new IllegalArgumentException("kd_loss_type must be kl_div or m3_kd_loss, got '" + name + "'");
  }

  public String flagName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
