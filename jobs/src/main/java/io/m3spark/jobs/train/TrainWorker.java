package io.m3spark.jobs.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.m3spark.io.Locations;
import io.m3spark.io.OutputFolder;
import io.m3spark.jobs.spark.TaskDevices;
import io.m3spark.model.LoadOptions;
import io.m3spark.model.M3Model;
import io.m3spark.sources.HadoopFolderCache;
import io.m3spark.sources.ModelSources;
import io.m3spark.sources.SourceOptions;
import io.m3spark.text.InstructionFormat;
import io.m3spark.train.AdamW;
import io.m3spark.train.Autograd;
import io.m3spark.train.EncoderPass;
import io.m3spark.train.checkpoint.CheckpointReader;
import io.m3spark.train.checkpoint.TrainingState;
import io.m3spark.train.collective.Collective;
import io.m3spark.train.collective.RingSettings;
import io.m3spark.train.data.BatchAssembler;
import io.m3spark.train.data.Collator;
import io.m3spark.train.data.EpochPlan;
import io.m3spark.train.data.GroupSampler;
import io.m3spark.train.data.DataLoadOptions;
import io.m3spark.train.data.SamplingOptions;
import io.m3spark.train.data.TrainData;
import io.m3spark.train.data.TrainDataLoader;
import io.m3spark.train.deepspeed.DeepSpeedConfig;
import io.m3spark.train.deepspeed.HfTrainingArgs;
import io.m3spark.train.deepspeed.OptimizerSettings;
import io.m3spark.train.deepspeed.TrainingSetup;
import io.m3spark.train.loop.LoopSettings;
import io.m3spark.train.precision.MixedPrecision;
import io.m3spark.train.loop.TrainLoop;
import io.m3spark.train.step.KdLossType;
import io.m3spark.train.step.LossOptions;
import io.m3spark.train.step.StepLoss;
import io.m3spark.train.step.TrainStep;
import io.m3spark.train.step.TrainableParameters;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.BarrierTaskContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One training worker, run as one task of the barrier stage: joins the ring, loads its own copy of the model on the
 * task's device, builds the data plan (every worker computes the same plan from the seed) and runs the
 * {@link TrainLoop}. Rank 0 writes checkpoints, the loss log and the final model.
 */
final class TrainWorker {
  private static final Logger LOG = LoggerFactory.getLogger(TrainWorker.class);

  private TrainWorker() {}

  static TrainLoop.Summary run(TrainArgs args, Map<String, String> flags, WorkerLaunch launch, BarrierTaskContext ctx)
      throws IOException {
    Autograd.disableOnThisThread();
    M3Model.setNumThreads(launch.threadsPerWorker());
    RingSettings ring = RingSettings.of(Duration.ofSeconds(args.collectiveTimeoutS))
        .withHeartbeatTimeout(Duration.ofSeconds(args.heartbeatTimeoutS));
    try (Collective collective = BarrierCollectives.create(ctx, ring)) {
      // Spark often only marks a killed task (a failed barrier stage, a cancelled job) without interrupting it
      return run(args, flags, launch, collective, TaskDevices.forCurrentTask(List.of()),
          step -> ctx.killTaskIfInterrupted());
    }
  }

  /** @param betweenSteps runs after every optimizer step; throws to stop the run */
  static TrainLoop.Summary run(TrainArgs args, Map<String, String> flags, WorkerLaunch launch, Collective collective,
      Device device, LongConsumer betweenSteps) throws IOException {
    Path base = ModelSources.resolve(launch.model().nameOrPath(), launch.model().sources());
    Configuration hadoop = launch.model().sources().hadoopConfiguration();
    HadoopFolderCache copies = new HadoopFolderCache(copyCache(args, launch.model().sources()));
    Path weights = launch.resumeFrom() == null ? base : copies.localPath(launch.resumeFrom(), hadoop);
    // fp32 weights whatever --fp16 says: under mixed precision they are the master copy the optimizer updates
    LoadOptions load = launch.model().loadOptions(device).toBuilder().fp16(false).colbertDim(args.colbertDim)
        .hiddenDropout(args.hiddenDropoutProb).attentionDropout(args.attentionProbsDropoutProb).build();
    try (M3Model model = M3Model.load(weights, load); NDManager manager = NDManager.newBaseManager(device);
        OutputFolder out = OutputFolder.open(args.outputDir, hadoop)) {
      TrainData data = loadData(args, collective.rank(), out, copies, hadoop);
      EpochPlan plan = plan(args, data, collective.worldSize());
      SamplingOptions sampling = new SamplingOptions(args.trainGroupSize, args.shuffleRatio,
          args.queryInstructionForRetrieval, InstructionFormat.parse(args.queryInstructionFormatForRetrieval),
          args.passageInstructionForRetrieval, InstructionFormat.parse(args.passageInstructionFormatForRetrieval),
          args.knowledgeDistillation, args.sameDatasetWithinBatch);
      Collator collator = new Collator(model.tokenizer(), args.queryMaxLen, args.passageMaxLen,
          args.padToMultipleOf == null ? 1 : args.padToMultipleOf);
      BatchAssembler assembler = new BatchAssembler(data.datasets(), new GroupSampler(sampling), collator, args.seed);

      Map<String, NDArray> trainable = TrainableParameters.select(model.parameters(), model.config(),
          args.unifiedFinetuning, args.fixEncoder, args.fixPositionEmbedding);
      LoopSettings loop = new LoopSettings(args.numTrainEpochs, args.maxSteps, args.gradientAccumulationSteps,
          args.loggingSteps, args.saveSteps);
      long total = loop.totalSteps(plan);
      TrainingSetup setup = trainingSetup(args, total, collective.worldSize());
      boolean half = setup.lossScaling() != null && (device.isGpu() || args.fp16OnCpu);
      if (setup.lossScaling() != null && !half && collective.rank() == 0) {
        LOG.warn("--fp16 on a CPU: training in fp32 (fp16 arithmetic is slow on CPUs; --fp16_on_cpu forces it)");
      }
      OptimizerSettings o = setup.optimizer();
      LossOptions lossOptions = new LossOptions(args.temperature, args.unifiedFinetuning, args.useSelfDistill,
          args.selfDistillStartStep, args.knowledgeDistillation ? KdLossType.parse(args.kdLossType) : null,
          args.negativesCrossDevice);
      try (AdamW adam = new AdamW(o.beta1(), o.beta2(), o.eps(), o.weightDecay(),
          TrainableParameters.decayed(o.decaysNormsAndBiases()), manager);
          MixedPrecision precision = half ? new MixedPrecision(model.parameters(), trainable, setup.lossScaling(),
              manager) : null) {
        // the forward pass reads the fp16 working copies under mixed precision; the optimizer updates the fp32 masters
        Map<String, NDArray> forwardParams = precision == null ? model.parameters() : precision.working();
        EncoderPass pass = new EncoderPass(model.encoder(), forwardParams,
            args.subBatchSize == null ? 0 : args.subBatchSize, args.gradientCheckpointing);
        TrainStep step = new TrainStep(forwardParams, trainable,
            new StepLoss(lossOptions, model.tokenizer().specialIds()),
            new TrainStep.Update(adam, setup.maxGradNorm(), precision), collective, manager, pass, args.seed);
        TrainLoop.Run run = new TrainLoop.Run(model, step, adam, setup.schedule(), plan, assembler, collective,
            out, args.saveTotalLimit == null ? 0 : args.saveTotalLimit, args.seed, flags,
            args.unifiedFinetuning, base);
        if (collective.rank() == 0) {
          LOG.info("training {} parameters ({} tensors) for {} steps on {} worker(s), {} per step", count(trainable),
              trainable.size(), total, collective.worldSize(), describeBatch(args, collective.worldSize()));
        }
        TrainingState resume = launch.resumeFrom() == null ? null : CheckpointReader.read(weights);
        return new TrainLoop(run, loop).withStepListener(
            betweenSteps.andThen(injectedFailure(args, launch, collective.rank())))
            .train(launch.resumeFrom() == null ? null : weights, resume);
      }
    }
  }

  /**
   * Optimizer, schedule, clipping and precision: the Hugging Face Trainer's from the flags, or what the
   * {@code --deepspeed} config makes of them. The driver calls it before launching, so a config that cannot be
   * honoured fails there.
   */
  static TrainingSetup trainingSetup(TrainArgs args, long totalSteps, int workers) throws IOException {
    HfTrainingArgs hf = new HfTrainingArgs(args.learningRate, args.adamBeta1, args.adamBeta2, args.adamEpsilon,
        args.weightDecay, args.maxGradNorm, args.fp16, args.lrSchedulerType,
        HfTrainingArgs.warmupSteps(args.warmupSteps, args.warmupRatio, totalSteps), totalSteps,
        args.perDeviceTrainBatchSize, args.gradientAccumulationSteps, workers);
    return args.deepspeed == null ? TrainingSetup.huggingFace(hf)
        : TrainingSetup.deepSpeed(hf, DeepSpeedConfig.read(Paths.get(args.deepspeed)));
  }

  /**
   * Every worker indexes the data itself (batches then read only their records; data on a Hadoop store is read from
   * the host's local copy); rank 0 alone writes the quarantine file of skipped records into the output folder.
   */
  private static TrainData loadData(TrainArgs args, int rank, OutputFolder out, HadoopFolderCache copies,
      Configuration hadoop) throws IOException {
    DataLoadOptions options = DataLoadOptions.defaults().withGroupSize(args.trainGroupSize)
        .withKnowledgeDistillation(args.knowledgeDistillation);
    if (args.sameDatasetWithinBatch) {
      options = options.withSameDataset(args.smallThreshold, args.dropThreshold);
    }
    if (args.skipBadRecords) {
      options = options.withSkipBadRecords(rank == 0 ? out.local("") : null);
    }
    if (args.cachePath != null) {
      options = options.withCachePath(Locations.localPath(args.cachePath));
    }
    List<Path> files = new ArrayList<>();
    for (String location : args.trainData) {
      files.add(copies.localPath(location, hadoop));
    }
    TrainData data = new TrainDataLoader(options).load(files, args.perDeviceTrainBatchSize);
    if (options.quarantineDir() != null) {
      out.publish(DataLoadOptions.QUARANTINE_FILE);
    }
    if (rank == 0 && data.skipped().total() > 0) {
      LOG.warn("--skip_bad_records: {} (quarantined in {}/{})", data.skipped().describe(), out.location(),
          DataLoadOptions.QUARANTINE_FILE);
    }
    return data;
  }

  /**
   * Where copies of training data and checkpoints on a Hadoop store go on each host: under {@code --cache_path} (the
   * run's cache folder) when given, else with the copies of model folders.
   */
  private static Path copyCache(TrainArgs args, SourceOptions sources) {
    return args.cachePath == null ? sources.copyCacheDir()
        : Locations.localPath(args.cachePath).resolve("m3spark-copies");
  }

  private static EpochPlan plan(TrainArgs args, TrainData data, int workers) {
    if (args.sameDatasetWithinBatch) {
      return EpochPlan.sameDataset(data.specs(), workers, args.seed);
    }
    return EpochPlan.shuffled(data.datasets().get(0).records().size(), args.perDeviceTrainBatchSize, workers,
        args.dataloaderDropLast, args.trainGroupSize, args.seed);
  }

  /** {@code --fail_worker_at_step R:N}: on the first launch, rank R dies after step N, as a lost executor would. */
  private static LongConsumer injectedFailure(TrainArgs args, WorkerLaunch launch, int rank) {
    if (args.failWorkerAtStep == null || launch.attempt() > 0) {
      return step -> {};
    }
    String[] rs = args.failWorkerAtStep.split(":");
    int failRank = Integer.parseInt(rs[0]);
    long failStep = Long.parseLong(rs[1]);
    return step -> {
      if (rank == failRank && step == failStep) {
        throw new IllegalStateException("--fail_worker_at_step: worker " + rank + " stops after step " + step);
      }
    };
  }

  private static long count(Map<String, NDArray> params) {
    return params.values().stream().mapToLong(NDArray::size).sum();
  }

  private static String describeBatch(TrainArgs args, int workers) {
    return String.format("%d queries x %d passages (batch %d x %d workers x %d accumulation)",
        args.perDeviceTrainBatchSize * workers * args.gradientAccumulationSteps, args.trainGroupSize,
        args.perDeviceTrainBatchSize, workers, args.gradientAccumulationSteps);
  }
}
