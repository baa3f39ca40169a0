package io.m3spark.jobs.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.m3spark.cli.ArgParser;
import io.m3spark.cli.UsageException;
import io.m3spark.io.OutputFolder;
import io.m3spark.jobs.TinyM3;
import io.m3spark.jobs.spark.ModelSpec;
import io.m3spark.jobs.spark.SparkSessions;
import io.m3spark.model.LoadOptions;
import io.m3spark.model.M3Model;
import io.m3spark.train.checkpoint.CheckpointReader;
import io.m3spark.train.checkpoint.LossLog;
import io.m3spark.train.checkpoint.LossRecord;
import io.m3spark.train.collective.LocalCollective;
import io.m3spark.train.data.DataLoadOptions;
import io.m3spark.train.loop.ProgressFile;
import io.m3spark.weights.SafetensorsFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code m3spark train} end to end on tiny-m3 in local[2]: resume, restart after a dead worker, W = 2 vs W = 1. */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class TrainJobTest {
  private static SparkSession spark;
  @TempDir
  static Path tmp;
  private static Path data;

  @BeforeAll
  static void start() throws IOException {
    spark = SparkSessions.local("train-job", 2);
    data = TrainData.write(tmp.resolve("data"), "train.jsonl", 16, 4, false);
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  /**
   * Unified self-distillation on tiny-m3 with its configured dropout (0.1; masks keyed by global row, so runs that
   * split the same rows differently draw the same masks), lr 1e-3.
   */
  private static List<String> flags(Path out, String... extra) {
    List<String> f = new ArrayList<>(List.of("--model_name_or_path", TinyM3.folder().toString(), "--train_data",
        data.toString(), "--output_dir", out.toString(), "--train_group_size", "3", "--query_max_len", "16",
        "--passage_max_len", "32", "--per_device_train_batch_size", "2", "--learning_rate", "1e-3",
        "--warmup_ratio", "0.2", "--weight_decay", "0.01", "--unified_finetuning", "--use_self_distill",
        "--logging_steps", "1",
        "--dataloader_drop_last", "True", "--seed", "7"));
    f.addAll(Arrays.asList(extra));
    return f;
  }

  /** {@code n} training records whose fourth has no negatives: a bad record. */
  private static Path dataWithoutNegativesAtLine4(Path folder, int n) throws IOException {
    Path file = TrainData.write(folder, "train.jsonl", n, 4, false);
    List<String> lines = new ArrayList<>(Files.readAllLines(file));
    lines.set(3, lines.get(3).replaceAll("\"neg\":\\[[^]]*]", "\"neg\":[]"));
    Files.write(file, lines);
    return file;
  }

  private static TrainResult train(List<String> flags) throws Exception {
    return TrainJob.run(spark, ArgParser.parse(TrainArgs.class, flags.toArray(String[]::new)));
  }

  static Map<String, float[]> weights(Path folder) throws IOException {
    SafetensorsFile f = SafetensorsFile.open(folder.resolve("model.safetensors"));
    Map<String, float[]> out = new TreeMap<>();
    for (String name : f.names()) {
      out.put(name, f.get(name).toFloats());
    }
    return out;
  }

  @Test
  void resumeFromACheckpointEqualsTheStraightRun() throws Exception {
    Path straight = tmp.resolve("straight");
    TrainResult r = train(flags(straight, "--max_steps", "6", "--save_steps", "3"));
    assertEquals(6, r.steps());
    assertTrue(Files.isDirectory(straight.resolve("checkpoint-3")));
    assertTrue(Files.isDirectory(straight.resolve("checkpoint-6")));
    assertEquals(6, ProgressFile.read(OutputFolder.local(straight)).orElseThrow().step());

    Path resumed = tmp.resolve("resumed");
    Files.createDirectories(resumed);
    copyTree(straight.resolve("checkpoint-3"), resumed.resolve("checkpoint-3"));
    Files.copy(straight.resolve("training_loss.json"), resumed.resolve("training_loss.json"));
    TrainResult again = train(flags(resumed, "--max_steps", "6", "--save_steps", "3", "--resume_from_checkpoint",
        "True"));
    assertEquals(6, again.steps());
    assertBitwiseEqual(weights(straight), weights(resumed));
    assertEquals(Files.readString(straight.resolve("training_loss.json")),
        Files.readString(resumed.resolve("training_loss.json")));
  }

  @Test
  void aDeadWorkerIsRestartedFromTheLastCheckpoint() throws Exception {
    Path straight = tmp.resolve("w2-straight");
    train(flags(straight, "--num_workers", "2", "--max_steps", "4", "--save_steps", "2"));
    Path killed = tmp.resolve("w2-killed");
    TrainResult r = train(flags(killed, "--num_workers", "2", "--max_steps", "4", "--save_steps", "2",
        "--fail_worker_at_step", "1:3"));
    assertEquals(1, r.restarts());
    assertEquals(4, r.steps());
    assertBitwiseEqual(weights(straight), weights(killed));
  }

  @Test
  void twoWorkersTrainLikeOneWorkerAccumulatingBothSlices() throws Exception {
    Path two = tmp.resolve("two");
    train(flags(two, "--num_workers", "2", "--max_steps", "3", "--save_steps", "0", "--adam_epsilon", "1e-3"));
    Path one = tmp.resolve("one");
    train(flags(one, "--num_workers", "1", "--gradient_accumulation_steps", "2", "--max_steps", "3",
        "--save_steps", "0", "--adam_epsilon", "1e-3"));
    double worst = largestDifference(weights(two), weights(one));
    System.out.println("W=2 vs W=1 with accumulation: largest parameter difference " + worst);
    assertTrue(worst < 1e-6, "largest parameter difference " + worst);
  }

  @Test
  void checkpointingAndSubBatchesTrainLikeThePlainPath() throws Exception {
    Path plain = tmp.resolve("plain");
    train(flags(plain, "--max_steps", "2", "--save_steps", "0", "--adam_epsilon", "1e-3"));
    Path saving = tmp.resolve("memory-saving");
    train(flags(saving, "--max_steps", "2", "--save_steps", "0", "--adam_epsilon", "1e-3", "--gradient_checkpointing",
        "--sub_batch_size", "2"));
    double worst = largestDifference(weights(plain), weights(saving));
    System.out.println("checkpointing + sub-batches vs plain: largest parameter difference " + worst);
    assertTrue(worst < 1e-6, "largest parameter difference " + worst);
  }

  /**
   * FlagEmbedding's example command (m3.sh) with its flags as written, on two workers: same-dataset batches from a
   * folder, a plain file and a {@code no_in_batch_neg} folder, teacher scores with m3_kd_loss, cross-device negatives,
   * self-distillation from the second pass, fp16 through the shipped ds_stage0.json (fp32 on this CPU), gradient
   * checkpointing. The output folder loads as a model.
   */
  @Test
  void flagEmbeddingsExampleCommandRunsAsPasted() throws Exception {
    Path retrieval = tmp.resolve("example/retrieval");
    TrainData.write(retrieval, "a.jsonl", 8, 7, true);
    Path sts = TrainData.write(tmp.resolve("example/sts"), "sts.jsonl", 8, 7, true);
    Path noInBatch = tmp.resolve("example/classification-no_in_batch_neg");
    TrainData.write(noInBatch, "c.jsonl", 8, 7, false);
    Path out = tmp.resolve("example-out");
    String[] command = {"--model_name_or_path", TinyM3.folder().toString(), "--cache_dir", tmp.resolve("hub").toString(),
        "--train_data", retrieval.toString(), sts.toString(), noInBatch.toString(), "--cache_path",
        tmp.resolve("cache").toString(), "--train_group_size", "8", "--query_max_len", "32", "--passage_max_len", "32",
        "--pad_to_multiple_of", "8", "--knowledge_distillation", "True", "--same_dataset_within_batch", "True",
        "--small_threshold", "0", "--drop_threshold", "0", "--output_dir", out.toString(), "--overwrite_output_dir",
        "--learning_rate", "1e-5", "--fp16", "--num_train_epochs", "1", "--per_device_train_batch_size", "2",
        "--dataloader_drop_last", "True", "--warmup_ratio", "0.1", "--gradient_checkpointing", "--deepspeed",
        Path.of("../conf/deepspeed/ds_stage0.json").toAbsolutePath().toString(), "--logging_steps", "1",
        "--save_steps", "1000", "--negatives_cross_device", "--temperature", "0.02", "--sentence_pooling_method",
        "cls", "--normalize_embeddings", "True", "--kd_loss_type", "m3_kd_loss", "--unified_finetuning", "True",
        "--use_self_distill", "True", "--fix_encoder", "False", "--self_distill_start_step", "0",
        "--num_workers", "2"};
    TrainResult r = TrainJob.run(spark, ArgParser.parse(TrainArgs.class, command));
    // three files of 8 records, chunks of 2 per worker x 2 workers: 2 steps each
    assertEquals(6, r.steps());
    assertTrue(Double.isFinite(r.lastLoss()), "loss " + r.lastLoss());
    List<LossRecord> log = LossLog.read(out.resolve("training_loss.json"));
    assertEquals(6, log.size());
    assertTrue(log.stream().anyMatch(x -> x.components().containsKey("loss_self_distill")));
    try (M3Model model = M3Model.load(out, LoadOptions.defaults())) {
      assertEquals(32, model.config().hiddenSize());
      assertTrue(model.warnings().isEmpty(), "loads with its own heads: " + model.warnings());
    }
    for (String f : List.of("config.json", "model.safetensors", "colbert_linear.pt", "sparse_linear.pt",
        "tokenizer.json")) {
      assertTrue(Files.isRegularFile(out.resolve(f)), f);
    }
  }

  /**
   * fp16 through ds_stage0.json, forced onto this CPU: two workers train in half precision with fp32 masters; a run
   * resumed from the step-2 checkpoint (optimizer, schedule position and loss scaler restored) ends bit-identical.
   */
  @Test
  void halfPrecisionTrainsAndResumesExactly() throws Exception {
    Path config = Path.of("../conf/deepspeed/ds_stage0.json").toAbsolutePath().normalize();
    Path straight = tmp.resolve("fp16");
    TrainResult r = train(flags(straight, "--num_workers", "2", "--max_steps", "4", "--save_steps", "2",
        "--deepspeed", config.toString(), "--fp16", "--fp16_on_cpu"));
    assertTrue(Double.isFinite(r.lastLoss()), "loss " + r.lastLoss());
    assertTrue(Files.isRegularFile(straight.resolve("checkpoint-2/loss_scaler.json")));
    Path resumed = tmp.resolve("fp16-resumed");
    Files.createDirectories(resumed);
    copyTree(straight.resolve("checkpoint-2"), resumed.resolve("checkpoint-2"));
    train(flags(resumed, "--num_workers", "2", "--max_steps", "4", "--save_steps", "2", "--deepspeed",
        config.toString(), "--fp16", "--fp16_on_cpu", "--resume_from_checkpoint", "True"));
    assertBitwiseEqual(weights(straight), weights(resumed));
  }

  /**
   * Checkpoints say which W wrote them: the driver refuses a resume on another W before launching, the worker refuses
   * it too, and a checkpoint from before the field existed still resumes (and continues the run exactly).
   */
  @Test
  void checkpointsRecordTheirWorldSize() throws Exception {
    Path straight = tmp.resolve("w2-sized");
    train(flags(straight, "--num_workers", "2", "--max_steps", "2", "--save_steps", "1"));
    Path second = straight.resolve("checkpoint-2");
    assertEquals(2, CheckpointReader.readTrainerState(OutputFolder.local(second)).worldSize());

    UsageException refused = assertThrows(UsageException.class, () -> train(flags(straight, "--num_workers", "1",
        "--max_steps", "2", "--save_steps", "1", "--resume_from_checkpoint", "True")));
    assertTrue(refused.getMessage().contains("run of 2 worker(s)") && refused.getMessage().contains("data order")
        && refused.getMessage().contains("--num_workers 2"), refused.getMessage());

    List<String> oneWorker = flags(tmp.resolve("w1-from-w2"), "--num_workers", "1", "--max_steps", "2");
    TrainArgs args = ArgParser.parse(TrainArgs.class, oneWorker.toArray(String[]::new));
    WorkerLaunch launch = new WorkerLaunch(ModelSpec.of(args.modelNameOrPath, false, false, null,
        spark.sparkContext().getConf()), second.toString(), 1, 1, 0);
    IllegalArgumentException onWorker = assertThrows(IllegalArgumentException.class, () -> TrainWorker.run(args,
        ArgParser.values(args), launch, new LocalCollective(), Device.cpu(), step -> {}));
    assertTrue(onWorker.getMessage().contains("run of 2 worker(s) and cannot continue on 1"), onWorker.getMessage());

    Path old = tmp.resolve("w2-old-checkpoint");
    Files.createDirectories(old);
    copyTree(straight.resolve("checkpoint-1"), old.resolve("checkpoint-1"));
    Files.copy(straight.resolve("training_loss.json"), old.resolve("training_loss.json"));
    Path state = old.resolve("checkpoint-1/trainer_state.json");
    ObjectNode json = (ObjectNode) new ObjectMapper().readTree(state.toFile());
    assertTrue(json.remove("world_size") != null, "the checkpoint had no world_size to remove");
    Files.writeString(state, json.toPrettyString());
    TrainResult resumed = train(flags(old, "--num_workers", "2", "--max_steps", "2", "--save_steps", "1",
        "--resume_from_checkpoint", "True"));
    assertEquals(2, resumed.steps());
    assertBitwiseEqual(weights(straight), weights(old));
  }

  /**
   * Cancelling a training job (which Spark does by marking its tasks killed, without interrupting them): the workers
   * stop within seconds — W = 2 in the ring's wait or between steps, W = 1 between steps — and the driver does not
   * relaunch them.
   */
  @ParameterizedTest
  @ValueSource(ints = {1, 2})
  void aCancelledRunStopsItsWorkersWithinSecondsAndIsNotRelaunched(int workers) throws Exception {
    Path out = tmp.resolve("cancelled-" + workers);
    TaskEvents tasks = new TaskEvents();
    spark.sparkContext().addSparkListener(tasks);
    ExecutorService driver = Executors.newSingleThreadExecutor();
    try {
      Future<TrainResult> run = driver.submit(() -> {
        spark.sparkContext().setJobGroup("train-cancel", "a long run to cancel", false);
        return train(flags(out, "--num_workers", String.valueOf(workers), "--max_steps", "100000", "--save_steps", "0",
            "--collective_timeout_s", "120"));
      });
      long deadline = System.nanoTime() + 120_000_000_000L;
      while (ProgressFile.read(OutputFolder.local(out)).map(p -> p.step() < 3).orElse(true)) {
        assertTrue(System.nanoTime() < deadline, "training did not get going");
        Thread.sleep(50);
      }
      long cancelled = System.nanoTime();
      spark.sparkContext().cancelJobGroup("train-cancel");
      ExecutionException e = assertThrows(ExecutionException.class, () -> run.get(60, TimeUnit.SECONDS));
      assertTrue(String.valueOf(e.getCause().getMessage()).contains("cancelled"), String.valueOf(e.getCause()));
      long lastEnd = tasks.awaitAllEnded(Duration.ofSeconds(30));
      assertTrue(lastEnd - cancelled < 5_000_000_000L, "workers ended " + (lastEnd - cancelled) / 1_000_000
          + " ms after the cancellation");
      Thread.sleep(1000);
      assertEquals(workers, tasks.started(), "the driver relaunched the cancelled run");
    } finally {
      spark.sparkContext().removeSparkListener(tasks);
      driver.shutdownNow();
    }
  }

  @Test
  void moreWorkersThanSlotsFailsBeforeLaunch() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> train(flags(tmp.resolve("three"), "--num_workers", "3", "--max_steps", "1")));
    assertTrue(e.getMessage().contains("needs 3 task slots"), e.getMessage());
  }

  @Test
  void anOutputFolderWithCheckpointsIsNotOverwrittenSilently() throws Exception {
    Path out = tmp.resolve("reused");
    Path withBad = dataWithoutNegativesAtLine4(tmp.resolve("reused-data"), 6);
    List<String> first = flags(out, "--max_steps", "1", "--save_steps", "1", "--skip_bad_records");
    first.set(first.indexOf(data.toString()), withBad.toString());
    train(first);
    assertTrue(Files.exists(out.resolve(DataLoadOptions.QUARANTINE_FILE)));
    UsageException e = assertThrows(UsageException.class, () -> train(flags(out, "--max_steps", "1")));
    assertTrue(e.getMessage().contains("--overwrite_output_dir"), e.getMessage());

    // --overwrite_output_dir never deletes the checkpoint the run would start from
    List<String> fromCheckpoint = flags(out, "--max_steps", "1", "--overwrite_output_dir");
    fromCheckpoint.set(fromCheckpoint.indexOf(TinyM3.folder().toString()), out.resolve("checkpoint-1").toString());
    e = assertThrows(UsageException.class, () -> train(fromCheckpoint));
    assertTrue(e.getMessage().contains("contains --model_name_or_path " + out.resolve("checkpoint-1")),
        e.getMessage());
    assertTrue(Files.exists(out.resolve("checkpoint-1/trainer_state.json")));

    // a clean fresh run leaves no quarantine of the earlier run beside its outputs
    train(flags(out, "--max_steps", "1", "--overwrite_output_dir"));
    assertFalse(Files.exists(out.resolve(DataLoadOptions.QUARANTINE_FILE)));
  }

  @Test
  void aRecordWithoutNegativesStopsTheRunWithItsLineAndIsNotRetried() throws Exception {
    Path bad = dataWithoutNegativesAtLine4(tmp.resolve("bad"), 5);
    List<String> f = flags(tmp.resolve("bad-out"), "--max_steps", "1");
    f.set(f.indexOf(data.toString()), bad.toString());
    Exception e = assertThrows(Exception.class, () -> train(f));
    assertTrue(e.getMessage().contains("train.jsonl:4") && e.getMessage().contains("neg"), e.getMessage());
  }

  @Test
  void theSeedsDeepSpeedConfigRunsAsPastedWithItsWarmupDecaySchedule() throws Exception {
    Path out = tmp.resolve("deepspeed");
    Path config = Path.of("../conf/deepspeed/ds_stage0.json").toAbsolutePath().normalize();
    train(flags(out, "--max_steps", "4", "--save_steps", "0", "--deepspeed", config.toString(), "--fp16",
        "--warmup_ratio", "0.5"));
    List<LossRecord> log = LossLog.read(out.resolve("training_loss.json"));
    assertEquals(4, log.size());
    // WarmupDecayLR, log warm-up over W = 2 of T = 4 steps, peak 1e-3. DeepSpeed's scheduler starts at iteration -1,
    // so optimizer step s runs at iteration s - 1: the minimum (0), then log(1)/log(2) = 0, log(2)/log(2) = 1, and
    // the decay (T - 2)/(T - W) = 1
    double[] want = {0, 0, 1e-3, 1e-3};
    for (int i = 0; i < want.length; i++) {
      assertEquals(want[i], log.get(i).lr(), 1e-12, "lr of step " + (i + 1));
    }
  }

  /**
   * Largest parameter difference. Adam's ε is raised to 1e-3 where runs sum the same gradients in another order: with
   * ε = 1e-8 an element whose gradient is rounding noise moves by ±lr either way, which would hide real differences.
   */
  static double largestDifference(Map<String, float[]> a, Map<String, float[]> b) {
    assertEquals(a.keySet(), b.keySet());
    double worst = 0;
    for (String name : a.keySet()) {
      float[] x = a.get(name);
      float[] y = b.get(name);
      for (int i = 0; i < x.length; i++) {
        worst = Math.max(worst, Math.abs(x[i] - y[i]));
      }
    }
    return worst;
  }

  static void assertBitwiseEqual(Map<String, float[]> want, Map<String, float[]> got) {
    assertEquals(want.keySet(), got.keySet());
    for (String name : want.keySet()) {
      assertArrayEquals(want.get(name), got.get(name), 0f, name);
    }
  }

  static void copyTree(Path from, Path to) throws IOException {
    try (var paths = Files.walk(from)) {
      for (Path p : paths.toList()) {
        Files.copy(p, to.resolve(from.relativize(p).toString()));
      }
    }
  }
}
