package io.m3spark.search;

import io.m3spark.model.PairScores;
import io.m3spark.model.Scores;
import java.util.Arrays;
import java.util.Locale;

/**
 * Which BGE-M3 score ranks the passages of an evaluation (the paper's §4 retrieval settings), named as on the command
 * line. {@link #DENSE} and {@link #SPARSE} are exhaustive searches; the others re-rank the union of the dense and sparse
 * candidates with {@link Scores#combined} semantics (see {@link #score}).
 */
public enum RetrievalMode {
  DENSE("dense"),
  SPARSE("sparse"),
  COLBERT("colbert"),
  DENSE_SPARSE("dense+sparse"),
  ALL("all");

  private final String label;

  RetrievalMode(String label) {
    this.label = label;
  }

  /** The command-line name, e.g. {@code dense+sparse}. */
  public String label() {
    return label;
  }

  public static RetrievalMode parse(String label) {
    String l = label.toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(m -> m.label.equals(l)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown retrieval mode '" + label + "'; use one of "
            + Arrays.stream(values()).map(RetrievalMode::label).toList()));
  }

  /** Whether this mode ranks the union of dense and sparse candidates rather than searching the whole corpus. */
  public boolean reranksCandidates() {
    return this == COLBERT || this == DENSE_SPARSE || this == ALL;
  }

  public boolean usesSparse() {
    return this != DENSE && this != COLBERT;
  }

  public boolean usesColbert() {
    return this == COLBERT || this == ALL;
  }

  /**
   * This mode's score from the three pair scores: dense, sparse, colbert alone, or FlagEmbedding's
   * {@code (w0·d + w1·s)/(w0+w1)} and {@code (w0·d + w1·s + w2·c)/(w0+w1+w2)}. Scores the mode does not use may be 0.
   *
   * @param weights [dense, sparse, colbert]
   */
  public double score(double dense, double sparse, double colbert, double[] weights) {
    PairScores s = Scores.combined(dense, sparse, colbert, weights);
    return switch (this) {
      case DENSE -> s.dense();
      case SPARSE -> s.sparse();
      case COLBERT -> s.colbert();
      case DENSE_SPARSE -> s.sparseDense();
      case ALL -> s.colbertSparseDense();
    };
  }
}
