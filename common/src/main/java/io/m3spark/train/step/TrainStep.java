package io.m3spark.train.step;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.m3spark.mining.RecordRandom;
import io.m3spark.model.DropoutKey;
import io.m3spark.model.Scalars;
import io.m3spark.train.AdamW;
import io.m3spark.train.Autograd;
import io.m3spark.train.EncodedBatch;
import io.m3spark.train.EncoderPass;
import io.m3spark.train.GradientClipping;
import io.m3spark.train.GradientSync;
import io.m3spark.train.Gradients;
import io.m3spark.train.collective.Collective;
import io.m3spark.train.precision.MixedPrecision;
import io.m3spark.train.data.TrainBatch;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One optimizer step of data-parallel training on one rank, what the Hugging Face Trainer does between two
 * {@code optimizer.step()} calls under DDP: zero the gradients; for each of the step's micro-batches
 * ({@code gradient_accumulation_steps}) encode, compute the loss, divide it by the number of micro-batches and
 * back-propagate; average the gradients over the ranks; clip by the total norm; update with AdamW.
 *
 * <p>Every rank must call {@link #run} for the same steps with the same number of micro-batches: the gradient
 * average, cross-device negatives and the loss report are collective calls.
 */
public final class TrainStep {
  private final Map<String, NDArray> params;
  private final Map<String, NDArray> trainable;
  private final StepLoss loss;
  private final Update update;
  private final Collective collective;
  private final NDManager manager;
  private final EncoderPass pass;
  private final Long dropoutSeed;

  private static final long QUERIES = 0;
  private static final long PASSAGES = 1;

  /**
   * What one step did, averaged over micro-batches and ranks.
   *
   * @param gradNorm the total gradient norm before clipping; NaN when the step was skipped
   * @param applied false when an fp16 overflow skipped the optimizer step
   */
  public record Result(double loss, Map<String, Double> parts, double gradNorm, boolean applied) {}

  /**
   * How gradients become an update.
   *
   * @param maxGradNorm clipping threshold; 0 turns clipping off (the norm is still reported)
   * @param precision fp16 working copies and loss scaling, or null to train in the parameters' own precision
   */
  public record Update(AdamW optimizer, double maxGradNorm, MixedPrecision precision) {
    public Update {
      if (!(maxGradNorm >= 0)) {
        throw new IllegalArgumentException("max_grad_norm must be >= 0, got " + maxGradNorm);
      }
    }
  }

  /**
   * @param params every parameter the forward pass reads (with mixed precision, its fp16 working copies)
   * @param trainable the subset that is trained ({@link TrainableParameters}), the optimizer's (master) parameters
   * @param pass how the encoder runs: plain, checkpointed and/or in sub-batches ({@link EncoderPass}), over
   *     {@code params}
   * @param dropoutSeed the run's seed for dropout masks; null trains without dropout
   */
  public TrainStep(Map<String, NDArray> params, Map<String, NDArray> trainable, StepLoss loss, Update update,
      Collective collective, NDManager manager, EncoderPass pass, Long dropoutSeed) {
    this.params = params;
    this.trainable = trainable;
    this.loss = loss;
    this.update = update;
    this.collective = collective;
    this.manager = manager;
    this.pass = pass;
    this.dropoutSeed = dropoutSeed;
  }

  /**
   * @param microBatches this rank's batches of the step, at least one
   * @param step optimizer steps taken before this one (names the step's dropout masks)
   * @param forwardsBefore forward passes this rank ran before this step (the self-distillation counter)
   * @param lr the learning rate of this step
   */
  public Result run(List<TrainBatch> microBatches, long step, long forwardsBefore, double lr) {
    if (microBatches.isEmpty()) {
      throw new IllegalArgumentException("a step needs at least one micro-batch");
    }
    MixedPrecision precision = update.precision();
    if (precision != null) {
      precision.zeroWorkingGradients();
    } else {
      Gradients.zero(trainable.values());
    }
    int n = microBatches.size();
    double total = 0;
    Map<String, Double> parts = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      TrainBatch batch = microBatches.get(i);
      try (NDManager m = manager.newSubManager(); Autograd autograd = new Autograd()) {
        long slot = (long) i * collective.worldSize() + collective.rank();
        EncodedBatch q = EncodedBatch.of(pass.forward(batch.queries(), key(step, QUERIES, slot * batch.queries()
            .batchSize()), m), batch.queries(), params);
        EncodedBatch p = EncodedBatch.of(pass.forward(batch.passages(), key(step, PASSAGES, slot * batch.passages()
            .batchSize()), m), batch.passages(), params);
        LossValue value = loss.compute(q, p, batch, forwardsBefore + i, collective, m);
        NDArray scaled = n == 1 ? value.total() : Scalars.dividedBy(value.total(), n);
        autograd.backward(precision == null ? scaled : precision.scaleLoss(scaled));
        pass.backward();
        total += LossValue.hostValue(value.total()) / n;
        value.partValues().forEach((k, v) -> parts.merge(k, v / n, Double::sum));
      }
    }
    if (precision != null) {
      precision.gradientsToMaster();
    }
    if (collective.worldSize() > 1) {
      GradientSync.allReduceMean(trainable, collective);
    }
    // averaged first: an inf or NaN on any rank reaches every rank, so all of them skip the same steps
    boolean applied = precision == null || precision.unscale();
    double norm = Double.NaN;
    if (applied) {
      norm = update.maxGradNorm() > 0 ? GradientClipping.clip(trainable.values(), update.maxGradNorm())
          : Gradients.totalNorm(trainable.values());
      update.optimizer().step(trainable, lr);
      if (precision != null) {
        precision.masterToWorking();
      }
    }
    return averagedOverRanks(total, parts, norm, applied);
  }

  /** The fp16 machinery of this step, or null. */
  public MixedPrecision precision() {
    return update.precision();
  }

  /**
   * The dropout key of one side of a micro-batch. Rows are numbered as in the global batch (micro-batch by
   * micro-batch, rank by rank), so a run on W workers draws the same masks as one worker accumulating the same slices.
   */
  private DropoutKey key(long step, long side, long firstRow) {
    if (dropoutSeed == null) {
      return null;
    }
    return new DropoutKey(RecordRandom.forRecord(RecordRandom.forRecord(dropoutSeed, step).nextLong(), side)
        .nextLong(), firstRow);
  }

  /** The logged loss is the mean over ranks, as the Trainer's gathered {@code tr_loss}. */
  private Result averagedOverRanks(double total, Map<String, Double> parts, double norm, boolean applied) {
    if (collective.worldSize() == 1) {
      return new Result(total, parts, norm, applied);
    }
    float[] values = new float[1 + parts.size()];
    values[0] = (float) total;
    int i = 1;
    for (double v : parts.values()) {
      values[i++] = (float) v;
    }
    collective.allReduceMean(values);
    Map<String, Double> mean = new LinkedHashMap<>();
    i = 1;
    for (String k : parts.keySet()) {
      mean.put(k, (double) values[i++]);
    }
    return new Result(values[0], mean, norm, applied);
  }
}
