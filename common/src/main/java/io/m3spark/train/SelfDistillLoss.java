package io.m3spark.train;

import ai.djl.ndarray.NDArray;
import io.m3spark.model.Scalars;

/**
 * Self-distillation from the ensemble score (unified fine-tuning with {@code use_self_distill}).
 *
 * <p>Definition: teacher T = softmax(S_e) over the full in-batch row (B·G columns), without gradient;
 * SD_x = −mean_b Σ_n T_{b,n} · log softmax(S_x)_{b,n} for x ∈ {dense, sparse, colbert};
 * final = (L + (SD_d + 0.1·SD_s + SD_c) / 3) / 2, L the {@link UnifiedLoss}.
 *
 * <p>FlagEmbedding: flagembedding-behaviour.md §4.7, §8.4, §9.2.
 *
 * <p>Inputs: the {@link ScoreMatrices} and the unified loss L (plain or with reranker KD).
 *
 * <p>Notes: the teacher is detached with {@code stopGradient()}, never with a cast (casts cut the whole graph).
 */
public record SelfDistillLoss(NDArray dense, NDArray sparse, NDArray colbert, NDArray total) {

  public static SelfDistillLoss of(ScoreMatrices s, NDArray unifiedLoss) {
    NDArray teacher = s.ensemble().stopGradient().softmax(1);
    NDArray d = distill(teacher, s.dense());
    NDArray sp = distill(teacher, s.sparse());
    NDArray c = distill(teacher, s.colbert());
    NDArray sd = Scalars.dividedBy(d.add(Scalars.times(sp, UnifiedLoss.SPARSE_LOSS_WEIGHT)).add(c), 3);
    return new SelfDistillLoss(d, sp, c, Scalars.dividedBy(unifiedLoss.add(sd), 2));
  }

  private static NDArray distill(NDArray teacher, NDArray student) {
    return teacher.mul(student.logSoftmax(1)).sum(new int[] {1}).neg().mean();
  }
}
