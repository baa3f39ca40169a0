package io.m3spark.model;

import java.util.Map;

/** Inference-time scores between two {@link Embedding}s, as FlagEmbedding's {@code M3Embedder} computes them. */
public final class Scores {
  /** The README's weights for [dense, sparse, colbert]. */
  public static final double[] README_WEIGHTS = {0.4, 0.2, 0.4};

  private Scores() {}

  /** Dot product (cosine when both are normalised). */
  public static double dense(float[] q, float[] p) {
    if (q.length != p.length) {
      throw new IllegalArgumentException("dense dimensions differ: " + q.length + " vs " + p.length);
    }
    double s = 0;
    for (int i = 0; i < q.length; i++) {
      s += (double) q[i] * p[i];
    }
    return s;
  }

  /** Σ over ids in both of w_q·w_p. */
  public static double sparse(Map<Integer, Float> q, Map<Integer, Float> p) {
    double s = 0;
    for (Map.Entry<Integer, Float> e : q.entrySet()) {
      Float w = p.get(e.getKey());
      if (w != null) {
        s += (double) e.getValue() * w;
      }
    }
    return s;
  }

  /**
   * {@link #sparse(Map, Map)} on lexical weights stored as parallel arrays with token ids ascending (the compact form
   * jobs shuffle and cache): a merge of the two id lists.
   */
  public static double sparse(int[] qIds, float[] qWeights, int[] pIds, float[] pWeights) {
    double s = 0;
    int i = 0;
    int j = 0;
    while (i < qIds.length && j < pIds.length) {
      if (qIds[i] < pIds[j]) {
        i++;
      } else if (qIds[i] > pIds[j]) {
        j++;
      } else {
        s += (double) qWeights[i++] * pWeights[j++];
      }
    }
    return s;
  }

  /** Mean over query vectors of the best dot product with a passage vector. */
  public static double colbert(float[][] q, float[][] p) {
    if (q.length == 0) {
      return 0;
    }
    double total = 0;
    for (float[] qv : q) {
      double best = Double.NEGATIVE_INFINITY;
      for (float[] pv : p) {
        best = Math.max(best, dense(qv, pv));
      }
      total += p.length == 0 ? 0 : best;
    }
    return total / q.length;
  }

  /**
   * All five of FlagEmbedding's scores: {@code sparse+dense = (w0·d + w1·s)/(w0+w1)},
   * {@code colbert+sparse+dense = (w0·d + w1·s + w2·c)/(w0+w1+w2)}.
   */
  public static PairScores combined(double dense, double sparse, double colbert, double[] weights) {
    if (weights.length != 3) {
      throw new IllegalArgumentException("weights are [dense, sparse, colbert], got " + weights.length + " values");
    }
    double sd = (weights[0] * dense + weights[1] * sparse) / (weights[0] + weights[1]);
    double csd = (weights[0] * dense + weights[1] * sparse + weights[2] * colbert) / (weights[0] + weights[1] + weights[2]);
    return new PairScores(dense, sparse, colbert, sd, csd);
  }

  /** Scores of a query and a passage embedded with dense, sparse and colbert all returned. */
  public static PairScores pair(Embedding q, Embedding p, double[] weights) {
    if (q.dense() == null || q.sparse() == null || q.colbert() == null || p.dense() == null || p.sparse() == null
        || p.colbert() == null) {
      throw new IllegalArgumentException("both embeddings need dense, sparse and colbert (EncodeOptions.all)");
    }
    return combined(dense(q.dense(), p.dense()), sparse(q.sparse(), p.sparse()), colbert(q.colbert(), p.colbert()),
        weights);
  }
}
