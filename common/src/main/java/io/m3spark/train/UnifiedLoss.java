package io.m3spark.train;

import ai.djl.ndarray.NDArray;
import io.m3spark.model.Scalars;

/**
 * The unified fine-tuning loss.
 *
 * <p>Definition: L = (L_d + L_e + 0.1·L_s + L_c) / 4, each L_x = loss(S_x) for x ∈ {dense, ensemble, sparse, colbert}.
 *
 * <p>FlagEmbedding: flagembedding-behaviour.md §4.5 (unified_finetuning), §4.6 for the KD variants, §8.4.
 *
 * <p>Inputs: the {@link ScoreMatrices} and the per-matrix loss: {@link InfoNceLoss}, or {@link KlDivKdLoss} /
 * {@link M3KdLoss} with the teacher when distilling from reranker scores.
 *
 * <p>Notes: the sparse weight is 0.1 here but 0.3 inside the ensemble score. With cross-device negatives only L_d
 * runs over the gathered rows; under KD its teacher would have to be gathered too, which is not implemented.
 */
public record UnifiedLoss(NDArray dense, NDArray sparse, NDArray colbert, NDArray ensemble, NDArray total) {
  public static final float SPARSE_LOSS_WEIGHT = 0.1f;

  /** A loss of one B × (B·G) score matrix. */
  @FunctionalInterface
  public interface PerMatrix {
    NDArray apply(NDArray scores);
  }

  public static UnifiedLoss of(ScoreMatrices s, PerMatrix loss) {
    return of(s.dense(), s, loss);
  }

  /** Cross-device negatives: the dense term over the gathered matrix, the other three on the local ones. */
  public static UnifiedLoss of(CrossDeviceScores s, PerMatrix loss) {
    return withDenseLoss(loss.apply(s.gatheredDense()), s.local(), loss);
  }

  private static UnifiedLoss of(NDArray denseScores, ScoreMatrices s, PerMatrix loss) {
    return withDenseLoss(loss.apply(denseScores), s, loss);
  }

  /**
   * The combination with a dense term computed elsewhere: under cross-device distillation the dense loss reads the
   * gathered matrix and teacher while the other three read the local ones.
   */
  public static UnifiedLoss withDenseLoss(NDArray d, ScoreMatrices s, PerMatrix loss) {
    NDArray sp = loss.apply(s.sparse());
    NDArray c = loss.apply(s.colbert());
    NDArray e = loss.apply(s.ensemble());
    NDArray total = Scalars.dividedBy(d.add(e).add(Scalars.times(sp, SPARSE_LOSS_WEIGHT)).add(c), 4);
    return new UnifiedLoss(d, sp, c, e, total);
  }
}
