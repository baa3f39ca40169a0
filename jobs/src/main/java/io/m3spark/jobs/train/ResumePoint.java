package io.m3spark.jobs.train;

import io.m3spark.cli.UsageException;
import io.m3spark.io.OutputFolder;
import io.m3spark.train.checkpoint.CheckpointReader;
import io.m3spark.train.checkpoint.TrainerState;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.apache.hadoop.conf.Configuration;

/**
 * Where a run starts: {@code --resume_from_checkpoint} as the Hugging Face Trainer reads it (a folder, or
 * {@code True} for the latest checkpoint in {@code output_dir}; {@code auto} is ours), and the check that a resumed run
 * keeps every flag that shapes the run and its number of workers — a changed batch size, seed, schedule or W would
 * silently make "continue" mean something else.
 */
final class ResumePoint {
  private static final Logger LOG = LoggerFactory.getLogger(ResumePoint.class);
  /** Flags that may differ between the saved and the resumed run: where things go and how often they are reported. */
  static final Set<String> MAY_CHANGE = Set.of("output_dir", "overwrite_output_dir", "logging_steps", "save_steps",
      "save_total_limit", "resume_from_checkpoint", "max_restarts", "collective_timeout_s", "heartbeat_timeout_s",
      "cache_dir", "cache_path", "model_name_or_path", "train_data");

  private ResumePoint() {}

  /**
   * The checkpoint folder to resume from (a path or a Hadoop URI, as {@code outputDir} may be), or null for a fresh
   * start. Besides the Trainer's values, {@code auto} resumes from the newest checkpoint when there is one and starts
   * fresh otherwise — what a scheduler's task retry wants.
   */
  static OutputFolder resolve(String flag, OutputFolder outputDir, Configuration conf)
      throws IOException, UsageException {
    if (flag == null || flag.isBlank() || flag.equalsIgnoreCase("false")) {
      return null;
    }
    if (flag.equalsIgnoreCase("auto")) {
      return CheckpointReader.latest(outputDir).orElse(null);
    }
    if (flag.equalsIgnoreCase("true")) {
      return CheckpointReader.latest(outputDir).orElseThrow(() -> new UsageException(
          "--resume_from_checkpoint True: no complete checkpoint-N folder in " + outputDir));
    }
    OutputFolder p = OutputFolder.open(flag, conf);
    if (!p.exists("")) {
      throw new UsageException("--resume_from_checkpoint: no such checkpoint folder: " + p);
    }
    return p;
  }

  /**
   * Refuses to resume {@code checkpoint} on {@code workers} workers, or with flags that differ from the checkpoint's in
   * anything but {@link #MAY_CHANGE}.
   */
  static void check(OutputFolder checkpoint, Map<String, String> now, int workers) throws IOException,
      UsageException {
    TrainerState saved = CheckpointReader.readTrainerState(checkpoint);
    checkWorldSize(checkpoint, saved, workers);
    checkFlags(checkpoint, saved, now);
  }

  private static void checkWorldSize(OutputFolder checkpoint, TrainerState saved, int workers) throws UsageException {
    if (saved.worldSize() == null) {
      LOG.info("{} does not record how many workers wrote it (written by an earlier version): resuming on {}; the data "
          + "order is only the saved run's if that run had {} worker(s) too", checkpoint, workers, workers);
      return;
    }
    Optional<String> conflict = saved.worldSizeConflict(workers);
    if (conflict.isPresent()) {
      throw new UsageException("cannot resume from " + checkpoint + ": " + conflict.get());
    }
  }

  private static void checkFlags(OutputFolder checkpoint, TrainerState saved, Map<String, String> now) throws UsageException {
    List<String> changed = new ArrayList<>();
    for (Map.Entry<String, String> e : saved.flags().entrySet()) {
      String current = now.get(e.getKey());
      if (!MAY_CHANGE.contains(e.getKey()) && current != null && !current.equals(e.getValue())) {
        changed.add("--" + e.getKey() + " was " + e.getValue() + ", now " + current);
      }
    }
    if (!changed.isEmpty()) {
      throw new UsageException("cannot resume from " + checkpoint + " with different settings (the run would not "
          + "continue the saved one): " + String.join("; ", changed));
    }
  }
}
