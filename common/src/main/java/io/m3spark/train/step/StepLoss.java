package io.m3spark.train.step;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.m3spark.model.Scalars;
import io.m3spark.train.CrossDeviceScores;
import io.m3spark.train.EncodedBatch;
import io.m3spark.train.InfoNceLoss;
import io.m3spark.train.KlDivKdLoss;
import io.m3spark.train.M3KdLoss;
import io.m3spark.train.NoInBatchScores;
import io.m3spark.train.ScoreMatrices;
import io.m3spark.train.SelfDistillLoss;
import io.m3spark.train.TeacherScores;
import io.m3spark.train.UnifiedLoss;
import io.m3spark.train.collective.Collective;
import io.m3spark.train.data.TrainBatch;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The loss of one forward pass of BGE-M3 fine-tuning, put together from the score and loss classes of
 * {@code io.m3spark.train} as FlagEmbedding's {@code m3/modeling.py} does (flagembedding-behaviour.md §4.5–4.7):
 * <ul>
 *   <li>no-in-batch data ({@code no_in_batch_neg}) scores each query against its own group only, and takes
 *       precedence over cross-device negatives, as in FlagEmbedding;</li>
 *   <li>otherwise in-batch matrices, the dense one gathered over all ranks with {@code negatives_cross_device};</li>
 *   <li>without {@code unified_finetuning} only the dense loss; with it (L_d + L_e + 0.1·L_s + L_c)/4, then
 *       self-distillation once the pass count exceeds {@code self_distill_start_step};</li>
 *   <li>with teacher scores the per-matrix loss is {@code kl_div} or {@code m3_kd_loss}. Under cross-device, kl_div
 *       distils on this rank's own groups and adds InfoNCE over the gathered matrix; m3_kd_loss gathers the teacher
 *       and runs over every rank's rows.</li>
 * </ul>
 */
public final class StepLoss {
  private final LossOptions options;
  private final int[] specialIds;

  /** @param specialIds token ids the sparse score ignores (the tokenizer's special tokens) */
  public StepLoss(LossOptions options, int[] specialIds) {
    this.options = options;
    this.specialIds = specialIds.clone();
  }

  /**
   * Collective call under cross-device negatives (every rank, same step).
   *
   * @param forwardIndex how many forward passes this rank ran before this one (the self-distillation counter)
   */
  public LossValue compute(EncodedBatch q, EncodedBatch p, TrainBatch batch, long forwardIndex, Collective collective,
      NDManager manager) {
    int g = batch.groupSize();
    NDArray teacher = options.kdLossType() == null || batch.teacherScores() == null ? null
        : TeacherScores.probabilities(rows(batch.teacherScores(), g), manager);
    Map<String, NDArray> parts = new LinkedHashMap<>();
    if (!options.unified()) {
      NDArray d = denseOnly(q, p, batch, teacher, collective);
      parts.put("loss_dense", d);
      return new LossValue(d, parts);
    }
    ScoreMatrices local = ScoreMatrices.compute(q, p, options.temperature(), specialIds);
    UnifiedLoss unified;
    ScoreMatrices scores;
    if (batch.noInBatchNeg()) {
      scores = NoInBatchScores.of(local, g);
      unified = UnifiedLoss.of(scores, groupLocalLoss(teacher));
    } else {
      scores = local;
      UnifiedLoss.PerMatrix perMatrix = inBatchLoss(teacher, g);
      NDArray dense = options.crossDevice() ? crossDeviceDense(q, p, local.dense(), batch, teacher, collective)
          : perMatrix.apply(local.dense());
      unified = UnifiedLoss.withDenseLoss(dense, local, perMatrix);
    }
    parts.put("loss_dense", unified.dense());
    parts.put("loss_sparse", unified.sparse());
    parts.put("loss_colbert", unified.colbert());
    parts.put("loss_ensemble", unified.ensemble());
    if (!options.selfDistillAt(forwardIndex)) {
      return new LossValue(unified.total(), parts);
    }
    SelfDistillLoss sd = SelfDistillLoss.of(scores, unified.total());
    parts.put("loss_self_distill", Scalars.dividedBy(sd.dense()
        .add(Scalars.times(sd.sparse(), UnifiedLoss.SPARSE_LOSS_WEIGHT)).add(sd.colbert()), 3));
    return new LossValue(sd.total(), parts);
  }

  /** {@code unified_finetuning} off: the dense loss alone, in whichever mode the batch and flags ask for. */
  private NDArray denseOnly(EncodedBatch q, EncodedBatch p, TrainBatch batch, NDArray teacher, Collective collective) {
    NDArray dense = ScoreMatrices.dense(q, p, options.temperature());
    int g = batch.groupSize();
    if (batch.noInBatchNeg()) {
      return groupLocalLoss(teacher).apply(NoInBatchScores.ownGroups(dense, g));
    }
    if (options.crossDevice()) {
      return crossDeviceDense(q, p, dense, batch, teacher, collective);
    }
    return inBatchLoss(teacher, g).apply(dense);
  }

  /**
   * The dense term over the (W·B) × (W·B·G) gathered matrix; {@code localDense} is this rank's B × (B·G) block, whose
   * own groups kl_div distils.
   */
  private NDArray crossDeviceDense(EncodedBatch q, EncodedBatch p, NDArray localDense, TrainBatch batch,
      NDArray teacher, Collective collective) {
    int g = batch.groupSize();
    NDArray gathered = CrossDeviceScores.gatherDense(q, p, options.temperature(), collective);
    if (teacher == null) {
      return InfoNceLoss.of(gathered, g);
    }
    if (options.kdLossType() == KdLossType.M3_KD_LOSS) {
      // B·G scores on every rank: the ranks' batches of one step have the same shape
      float[][] all = collective.allGather(batch.teacherScores(), batch.teacherScores().length);
      return M3KdLoss.of(gathered, TeacherScores.probabilities(rows(concat(all), g), gathered.getManager()), g);
    }
    // the local rows' own groups hold the same values in the local and the gathered matrix
    return KlDivKdLoss.distillation(localDense, teacher, g).add(InfoNceLoss.of(gathered, g));
  }

  private UnifiedLoss.PerMatrix inBatchLoss(NDArray teacher, int g) {
    if (teacher == null) {
      return x -> InfoNceLoss.of(x, g);
    }
    return options.kdLossType() == KdLossType.KL_DIV ? x -> KlDivKdLoss.of(x, teacher, g)
        : x -> M3KdLoss.of(x, teacher, g);
  }

  private UnifiedLoss.PerMatrix groupLocalLoss(NDArray teacher) {
    if (teacher == null) {
      return InfoNceLoss::ofGroupLocal;
    }
    return options.kdLossType() == KdLossType.KL_DIV ? x -> KlDivKdLoss.ofGroupLocal(x, teacher)
        : x -> M3KdLoss.ofGroupLocal(x, teacher);
  }

  private static float[][] rows(float[] flat, int g) {
    float[][] out = new float[flat.length / g][g];
    for (int b = 0; b < out.length; b++) {
      System.arraycopy(flat, b * g, out[b], 0, g);
    }
    return out;
  }

  private static float[] concat(float[][] blocks) {
    int n = 0;
    for (float[] b : blocks) {
      n += b.length;
    }
    float[] out = new float[n];
    int at = 0;
    for (float[] b : blocks) {
      System.arraycopy(b, 0, out, at, b.length);
      at += b.length;
    }
    return out;
  }
}
