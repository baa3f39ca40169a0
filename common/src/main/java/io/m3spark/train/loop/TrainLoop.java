package io.m3spark.train.loop;

import io.m3spark.io.OutputFolder;
import io.m3spark.model.M3Model;
import io.m3spark.train.AdamW;
import io.m3spark.train.LrSchedule;
import io.m3spark.train.checkpoint.CheckpointWriter;
import io.m3spark.train.checkpoint.FinalModelWriter;
import io.m3spark.train.checkpoint.LossLog;
import io.m3spark.train.checkpoint.LossRecord;
import io.m3spark.train.checkpoint.RngState;
import io.m3spark.train.checkpoint.SchedulerState;
import io.m3spark.train.checkpoint.TrainerState;
import io.m3spark.train.checkpoint.TrainingState;
import io.m3spark.train.collective.Collective;
import io.m3spark.train.data.BatchAssembler;
import io.m3spark.train.data.DataCursor;
import io.m3spark.train.data.DataPosition;
import io.m3spark.train.data.EpochPlan;
import io.m3spark.train.data.TrainBatch;
import io.m3spark.train.step.TrainStep;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One rank's training run: walks its share of the data plan in optimizer steps of
 * {@code gradient_accumulation_steps} micro-batches (never across an epoch end), takes each learning rate from the
 * schedule, and on rank 0 logs progress, keeps {@code training_loss.json}/{@code .png}, writes a checkpoint every
 * {@code save_steps} and the final model folder. Every rank runs the same steps, so collectives line up.
 *
 * <p>A run started from a {@link TrainingState} (a checkpoint, with the model already loaded from it) continues
 * exactly: optimizer moments, learning-rate step, data position and the self-distillation pass counter are restored,
 * and batches are pure functions of (seed, epoch, record), so N steps + resume + N steps equals 2N straight steps.
 */
public final class TrainLoop {
  private static final Logger LOG = LoggerFactory.getLogger(TrainLoop.class);
  static final String FORWARD_PASSES = "forward_passes";
  static final String OPTIMIZER_STEPS = "optimizer_steps";
  static final String SEED = "seed";

  private final Run run;
  private final LoopSettings settings;
  private LongConsumer afterStep = step -> {};

  /**
   * What a run trains and where it writes.
   *
   * @param schedule the learning-rate schedule (its {@code current_step} is ignored; the loop tracks steps)
   * @param outputDir where rank 0 writes progress, the loss log, checkpoints and the final model
   * @param flags the run's flags by name, stored in every checkpoint
   * @param baseModelFolder the folder the run started from, for the head files of a dense-only run's output
   */
  public record Run(M3Model model, TrainStep step, AdamW optimizer, SchedulerState schedule, EpochPlan plan,
      BatchAssembler assembler, Collective collective, OutputFolder outputDir, int saveTotalLimit, long seed,
      Map<String, String> flags, boolean unifiedFinetuning, Path baseModelFolder) {}

  /** What the run did, as this rank saw it (sent from the worker to the driver). */
  public record Summary(long steps, double lastLoss, double seconds, double samplesPerSecond)
      implements java.io.Serializable {}

  public TrainLoop(Run run, LoopSettings settings) {
    this.run = run;
    this.settings = settings;
  }

  /** Calls {@code listener} with the step number after every optimizer step (and its checkpoint), on every rank. */
  public TrainLoop withStepListener(LongConsumer listener) {
    this.afterStep = listener;
    return this;
  }

  /**
   * @param resumeFolder the checkpoint the model was loaded from (a local folder), or null for a fresh run
   * @param resume that checkpoint's state
   */
  public Summary train(Path resumeFolder, TrainingState resume) throws IOException {
    boolean lead = run.collective().rank() == 0;
    EpochPlan plan = run.plan();
    long total = settings.totalSteps(plan);
    LrSchedule schedule = run.schedule().schedule();
    long step = 0;
    long forwards = 0;
    long applied = 0; // optimizer steps that ran: fp16 overflows skip the update and the schedule (DeepSpeed)
    DataPosition start = DataPosition.START;
    LossLog lossLog = new LossLog(run.outputDir());
    if (resume != null) {
      // the driver refuses this before launching; checked again here for any other caller
      resume.trainer().worldSizeConflict(run.collective().worldSize()).ifPresent(conflict -> {
        throw new IllegalArgumentException("cannot resume from " + resumeFolder + ": " + conflict);
      });
      run.optimizer().importState(resume.optimizer());
      step = resume.trainer().globalStep();
      start = new DataPosition(Math.toIntExact(resume.trainer().epoch()), Math.toIntExact(resume.trainer().dataPosition()));
      forwards = resume.rng().states().getOrDefault(FORWARD_PASSES, 0L);
      applied = resume.rng().states().getOrDefault(OPTIMIZER_STEPS, step);
      if (resume.lossScaler() != null && run.step().precision() != null) {
        run.step().precision().scaler().importState(resume.lossScaler());
      }
      if (lead) {
        lossLog = LossLog.resume(run.outputDir(), resumeFolder, resume.trainer().lossHistoryLength());
      }
      LOG.info("resuming at step {} (data position {})", step, start);
    }
    DataCursor cursor = new DataCursor(plan, run.collective().rank(), settings.epochsToWalk(plan), start);
    CheckpointWriter checkpoints = new CheckpointWriter(run.outputDir(), run.saveTotalLimit());
    Window window = new Window();
    long startNanos = System.nanoTime();
    long samples = 0;
    double lastLoss = Double.NaN;
    long firstStep = step;
    while (step < total && cursor.hasNext()) {
      List<TrainBatch> micro = nextStep(cursor);
      double lr = schedule.lr(applied);
      TrainStep.Result result = run.step().run(micro, step, forwards, lr);
      forwards += micro.size();
      step++;
      if (result.applied()) {
        applied++;
      } else if (lead) {
        LOG.warn("step {}: fp16 gradients overflowed, update skipped; loss scale now {}", step,
            run.step().precision().scaler().scale());
      }
      long stepSamples = 0;
      for (TrainBatch b : micro) {
        stepSamples += (long) b.queries().batchSize() * run.collective().worldSize();
      }
      samples += stepSamples;
      lastLoss = result.loss();
      window.add(result, lr);
      if (lead && (step % settings.loggingSteps() == 0 || step == total)) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        double rate = samples / seconds;
        double eta = seconds / (step - firstStep) * (total - step);
        LossRecord record = window.drain(step);
        String line = ProgressLine.format(step, total, record.loss(), record.components(), lr, result.gradNorm(), rate,
            seconds, eta);
        LOG.info(line);
        lossLog.record(record);
        ProgressFile.write(run.outputDir(), step, total, record.loss(), lr, rate, eta, line);
      }
      if (settings.saveSteps() > 0 && step % settings.saveSteps() == 0) {
        if (lead) {
          OutputFolder written = checkpoints.write(run.model(), checkpointState(step, applied, forwards,
              cursor.position(), lossLog), lossLog.records());
          LOG.info("saved {}", written);
        }
        run.collective().barrier();
      }
      afterStep.accept(step);
    }
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    if (lead) {
      FinalModelWriter.write(run.model(), run.outputDir(), run.unifiedFinetuning(), run.baseModelFolder());
      lossLog.finish();
      LOG.info("training done: {} steps, final loss {}, model in {}", step, lastLoss, run.outputDir());
    }
    run.collective().barrier();
    return new Summary(step, lastLoss, seconds, seconds > 0 ? samples / seconds : 0);
  }

  /** What a checkpoint after {@code step} steps holds besides the weights. */
  private TrainingState checkpointState(long step, long applied, long forwards, DataPosition next, LossLog lossLog) {
    return new TrainingState(run.optimizer().exportState(), run.schedule().atStep(applied),
        new RngState(Map.of(SEED, run.seed(), FORWARD_PASSES, forwards, OPTIMIZER_STEPS, applied)),
        new TrainerState(step, next.epoch(), next.step(), lossLog.records().size(), run.collective().worldSize(),
            run.flags()),
        run.step().precision() == null ? null : run.step().precision().scaler().exportState());
  }

  /** The next step's micro-batches: up to {@code gradient_accumulation_steps}, all from one epoch. */
  private List<TrainBatch> nextStep(DataCursor cursor) {
    int epoch = cursor.position().epoch();
    List<TrainBatch> out = new ArrayList<>();
    while (out.size() < settings.gradientAccumulationSteps() && cursor.hasNext() && cursor.position().epoch() == epoch) {
      out.add(run.assembler().assemble(epoch, cursor.next()));
    }
    return out;
  }

  /** Losses since the last log line, averaged, as the Trainer's logged loss is. */
  private static final class Window {
    private int count;
    private double loss;
    private final Map<String, Double> parts = new LinkedHashMap<>();
    private double lr;

    void add(TrainStep.Result r, double stepLr) {
      count++;
      loss += r.loss();
      r.parts().forEach((k, v) -> parts.merge(k, v, Double::sum));
      lr = stepLr;
    }

    LossRecord drain(long step) {
      Map<String, Double> mean = new LinkedHashMap<>();
      parts.forEach((k, v) -> mean.put(k, v / count));
      LossRecord r = new LossRecord(step, loss / count, mean, lr);
      count = 0;
      loss = 0;
      parts.clear();
      return r;
    }
  }
}
