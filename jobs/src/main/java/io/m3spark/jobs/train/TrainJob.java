package io.m3spark.jobs.train;

import io.m3spark.cli.ArgParser;
import io.m3spark.cli.UsageException;
import io.m3spark.jobs.spark.DeviceStages;
import io.m3spark.io.OutputFolder;
import io.m3spark.jobs.spark.ModelSpec;
import io.m3spark.jobs.spark.TaskDevices;
import io.m3spark.train.checkpoint.CheckpointFolders;
import io.m3spark.train.checkpoint.CheckpointReader;
import io.m3spark.train.data.DataLoadOptions;
import io.m3spark.train.loop.ProgressFile;
import io.m3spark.train.loop.TrainLoop;
import java.io.IOException;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkException;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.collection.Iterator;
import scala.collection.JavaConverters;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

/**
 * {@code m3spark train}: FlagEmbedding's BGE-M3 fine-tuning as one Spark barrier stage of W workers
 * ({@link TrainWorker}), the driver coordinating: it checks that W tasks can run at once, decides where the run
 * starts, launches the stage, and when a worker dies relaunches it from the last complete checkpoint, up to
 * {@code --max_restarts} times. Failures caused by the input (bad data, bad flags) are not retried: they would fail
 * the same way again; nor is a cancelled job.
 */
public final class TrainJob {
  private static final Logger LOG = LoggerFactory.getLogger(TrainJob.class);
  /** Exceptions that a rerun reproduces; seen in the task failure's description on the driver. */
  private static final List<String> DETERMINISTIC = List.of("TrainDataException", "UsageException",
      "IllegalArgumentException", "FileNotFoundException", "NoSuchFileException");
  /** How Spark's scheduler words the failure of a cancelled job. */
  private static final Pattern CANCELLED = Pattern.compile("Job \\d+ cancelled");

  private TrainJob() {}

  public static TrainResult run(org.apache.spark.sql.SparkSession spark, TrainArgs args) throws Exception {
    SparkContext sc = spark.sparkContext();
    LOG.info(TaskDevices.describe(sc, List.of()));
    int workers = workers(args, sc);
    BarrierPreflight.check(sc, workers);
    try {
      TrainWorker.trainingSetup(args, 1, workers); // the real step count is known on the workers; this checks the rest
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    Configuration hadoop = sc.hadoopConfiguration();
    try (OutputFolder out = OutputFolder.open(args.outputDir, hadoop)) {
      return run(sc, args, out, hadoop, workers);
    }
  }

  private static TrainResult run(SparkContext sc, TrainArgs args, OutputFolder out, Configuration hadoop, int workers)
      throws Exception {
    Map<String, String> flags = ArgParser.values(args);
    OutputFolder resume = ResumePoint.resolve(args.resumeFromCheckpoint, out, hadoop);
    if (resume != null) {
      ResumePoint.check(resume, flags, workers);
    } else {
      prepareFreshOutput(out, args, hadoop);
    }
    out.create();
    ModelSpec model = ModelSpec.of(args.modelNameOrPath, args.fp16, args.initNewHeads, args.cacheDir, sc.getConf());
    int threads = threadsPerWorker(sc.getConf(), workers);
    for (int attempt = 0; ; attempt++) {
      WorkerLaunch launch = new WorkerLaunch(model, resume == null ? null : resume.location(), workers, threads,
          attempt);
      sc.setJobDescription("m3spark train: " + workers + " worker(s)" + (attempt > 0 ? ", restart " + attempt : "")
          + (resume != null ? ", from " + resume.name() : ""));
      try (ProgressWatcher watcher = watchProgress(sc, out)) {
        TrainLoop.Summary lead = launch(sc, args, flags, launch).get(0);
        return new TrainResult(out.location(), workers, lead.steps(), lead.lastLoss(), attempt,
            lead.samplesPerSecond());
      } catch (Exception e) { // a failed stage arrives as a SparkException, which Scala throws unchecked
        if (attempt >= args.maxRestarts || isDeterministic(e) || wasCancelled(e)) {
          throw e;
        }
        Optional<OutputFolder> latest = CheckpointReader.latest(out);
        if (latest.isPresent()) {
          resume = latest.get();
          ResumePoint.check(resume, flags, workers); // only this run writes there, but never relaunch on a wrong W
        }
        LOG.warn("training stage failed ({}); restart {} of at most {} from {}", firstLine(e), attempt + 1,
            args.maxRestarts, resume == null ? "the start" : resume);
      }
    }
  }

  /** Runs the barrier stage; one summary per worker, rank 0's first. */
  private static List<TrainLoop.Summary> launch(SparkContext sc, TrainArgs args, Map<String, String> flags,
      WorkerLaunch launch) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(sc);
    List<Integer> ranks = new ArrayList<>();
    for (int r = 0; r < launch.workers(); r++) {
      ranks.add(r);
    }
    JavaRDD<Integer> slots = jsc.parallelize(ranks, launch.workers());
    ClassTag<TrainLoop.Summary> tag = ClassTag$.MODULE$.apply(TrainLoop.Summary.class);
    return DeviceStages.assign(new JavaRDD<>(slots.rdd().barrier().mapPartitions(new WorkerTask(args, flags, launch),
        false, tag), tag)).collect();
  }

  /** One barrier task: one worker. */
  private static final class WorkerTask extends AbstractFunction1<Iterator<Integer>, Iterator<TrainLoop.Summary>>
      implements Serializable {
    private static final long serialVersionUID = 1L;
    private final TrainArgs args;
    private final Map<String, String> flags;
    private final WorkerLaunch launch;

    WorkerTask(TrainArgs args, Map<String, String> flags, WorkerLaunch launch) {
      this.args = args;
      this.flags = Map.copyOf(flags);
      this.launch = launch;
    }

    @Override
    public Iterator<TrainLoop.Summary> apply(Iterator<Integer> ignored) {
      try {
        TrainLoop.Summary s = TrainWorker.run(args, flags, launch, BarrierTaskContext.get());
        return JavaConverters.asScalaIterator(Collections.singletonList(s).iterator());
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }

  /** On a cluster, the driver repeats rank 0's progress; in local mode the workers log to the same console already. */
  private static ProgressWatcher watchProgress(SparkContext sc, OutputFolder out) {
    return sc.isLocal() ? null : new ProgressWatcher(out, Duration.ofSeconds(15));
  }

  /**
   * {@code --num_workers}, or by default every GPU task slot Spark offers (executors with GPUs), every CUDA GPU in local
   * mode, else 1.
   */
  static int workers(TrainArgs args, SparkContext sc) {
    if (args.numWorkers > 0) {
      return args.numWorkers;
    }
    SparkConf conf = sc.getConf();
    if (sc.isLocal()) {
      return Math.max(1, TaskDevices.localGpuCount());
    }
    if (DeviceStages.deviceTask(conf).gpus() > 0) {
      int executors = Math.max(0, sc.statusTracker().getExecutorInfos().length - 1);
      return Math.max(1, BarrierPreflight.taskSlots(conf, executors));
    }
    return 1;
  }

  /** Local mode splits its cores (local[N]: N) between the workers; on a cluster each has a device task's CPUs. */
  static int threadsPerWorker(SparkConf conf, int workers) {
    String master = conf.get("spark.master", "");
    if (master.startsWith("local")) {
      return Math.max(1, BarrierPreflight.localCores(master) / workers);
    }
    return DeviceStages.deviceTask(conf).cpus();
  }

  /**
   * A fresh run refuses an output folder that already holds checkpoints or a model, unless
   * {@code --overwrite_output_dir}; then the old checkpoints are deleted (never in a folder that is or holds an input
   * or the model: {@link TrainArgs#outputRule}), so a restart after a failure can never pick up a checkpoint of an
   * earlier run. The earlier run's progress file and quarantine go too: one run's outputs never mix with another's.
   */
  private static void prepareFreshOutput(OutputFolder out, TrainArgs args, Configuration hadoop)
      throws IOException, UsageException {
    List<OutputFolder> old = CheckpointFolders.complete(out);
    boolean hasModel = out.exists("config.json");
    if (!old.isEmpty() || hasModel) {
      if (!args.overwriteOutputDir) {
        throw new UsageException("--output_dir " + out + " already holds " + (old.isEmpty() ? "a model"
            : old.size() + " checkpoint(s)") + ": pass --overwrite_output_dir to replace it, or "
            + "--resume_from_checkpoint True to continue it");
      }
      try {
        args.outputRule().check(true, "--overwrite_output_dir", hadoop);
      } catch (IllegalArgumentException e) {
        throw new UsageException(e.getMessage());
      }
      for (OutputFolder p : old) {
        LOG.info("--overwrite_output_dir: deleting {} of an earlier run", p);
        CheckpointFolders.delete(out, p.name());
      }
    }
    out.delete(ProgressFile.NAME);
    out.delete(DataLoadOptions.QUARANTINE_FILE);
  }

  private static boolean isDeterministic(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String text = t.getClass().getName() + " " + t.getMessage();
      if (DETERMINISTIC.stream().anyMatch(text::contains)) {
        return true;
      }
    }
    return false;
  }

  /** A job that was cancelled (by its user, or Spark stopping) is over: a relaunch would take its freed slots back. */
  private static boolean wasCancelled(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SparkException && t.getMessage() != null && CANCELLED.matcher(t.getMessage()).find()) {
        return true;
      }
    }
    return false;
  }

  private static String firstLine(Throwable e) {
    String m = String.valueOf(e.getMessage());
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
