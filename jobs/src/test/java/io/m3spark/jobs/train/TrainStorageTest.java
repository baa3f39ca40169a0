package io.m3spark.jobs.train;

import static io.m3spark.jobs.testfs.TestStores.files;
import static io.m3spark.jobs.testfs.TestStores.on;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.m3spark.cli.ArgParser;
import io.m3spark.cli.UsageException;
import io.m3spark.io.OutputFolder;
import io.m3spark.io.Trees;
import io.m3spark.jobs.TinyM3;
import io.m3spark.jobs.testfs.LocalDiskFileSystem;
import io.m3spark.jobs.testfs.TestStores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code m3spark train} with {@code --train_data} and {@code --output_dir} on Hadoop stores other than the local one,
 * in local[2]: {@code m3test://} (rename, like HDFS) and {@code m3obj://} (no rename, like S3), both serving the local
 * disk through {@link LocalDiskFileSystem}, and {@code file:} URIs. Outputs are compared with a run on plain paths.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class TrainStorageTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static SparkSession spark;
  @TempDir
  static Path tmp;
  private static Path data;

  @BeforeAll
  static void start() throws IOException {
    spark = TestStores.localSession("train-storage", 2);
    data = TrainData.write(tmp.resolve("data"), "train.jsonl", 16, 4, false);
    // one record without negatives, for --skip_bad_records to quarantine
    Files.writeString(data, Files.readString(data).replaceFirst("\"neg\":\\[[^]]*]", "\"neg\":[]"));
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  private static List<String> flags(String out, String trainData, String... extra) {
    List<String> f = new ArrayList<>(List.of("--model_name_or_path", TinyM3.folder().toString(), "--train_data",
        trainData, "--output_dir", out, "--cache_path", tmp.resolve("cache").toString(), "--train_group_size", "3",
        "--query_max_len", "16", "--passage_max_len", "32", "--per_device_train_batch_size", "2",
        "--learning_rate", "1e-3", "--warmup_ratio", "0.2", "--unified_finetuning", "--use_self_distill",
        "--logging_steps", "1", "--dataloader_drop_last", "True", "--seed", "7", "--skip_bad_records"));
    f.addAll(Arrays.asList(extra));
    return f;
  }

  private static TrainResult train(List<String> flags) throws Exception {
    return TrainJob.run(spark, ArgParser.parse(TrainArgs.class, flags.toArray(String[]::new)));
  }

  /**
   * The file as it must be equal across runs: progress.json holds timings; trainer states name the run's own
   * output_dir and train_data; a quarantined record names the file it was read from (here the host's copy).
   */
  private static String comparable(String name, byte[] bytes) throws IOException {
    if (name.endsWith("trainer_state.json")) {
      JsonNode state = JSON.readTree(bytes);
      ((ObjectNode) state.get("flags")).remove(List.of("output_dir", "train_data"));
      return state.toString();
    }
    if (name.equals("bad-records.jsonl")) {
      StringBuilder out = new StringBuilder();
      for (String line : new String(bytes, java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
        ObjectNode record = (ObjectNode) JSON.readTree(line);
        assertTrue(record.remove("file").asText().endsWith("train.jsonl"), line);
        out.append(record).append('\n');
      }
      return out.toString();
    }
    return java.util.HexFormat.of().formatHex(bytes);
  }

  private static void assertSameOutputs(Path want, Path got, String what) throws IOException {
    Map<String, byte[]> a = files(want);
    Map<String, byte[]> b = files(got);
    assertEquals(a.keySet(), b.keySet(), what + ": the same files, no temporary left");
    for (String name : a.keySet()) {
      if (!name.equals("progress.json")) {
        assertEquals(comparable(name, a.get(name)), comparable(name, b.get(name)), what + ": " + name);
      }
    }
  }

  @Test
  void everyStoreEndsUpHoldingWhatALocalRunWrites() throws Exception {
    Path local = tmp.resolve("plain");
    String[] run = {"--max_steps", "4", "--save_steps", "1", "--save_total_limit", "2"};
    train(flags(local.toString(), data.getParent().toString(), run));
    Map<String, byte[]> written = files(local);
    for (String f : List.of("config.json", "model.safetensors", "colbert_linear.pt", "training_loss.json",
        "training_loss.png", "progress.json", "bad-records.jsonl", "checkpoint-3/trainer_state.json",
        "checkpoint-4/optimizer.safetensors")) {
      assertTrue(written.containsKey(f), f + " in " + written.keySet());
    }
    assertFalse(written.containsKey("checkpoint-2/trainer_state.json"), "pruned by --save_total_limit");

    for (String scheme : List.of("file", "m3test", "m3obj")) {
      Path out = tmp.resolve("out-" + scheme);
      // the folder on one store, the file itself on another: both are copied to the host and read as today
      String trainData = scheme.equals("m3test") ? on(scheme, data.getParent()) : on(scheme, data);
      TrainResult r = train(flags(on(scheme, out), trainData, run));
      assertEquals(4, r.steps());
      assertSameOutputs(local, out, scheme);
    }
    assertTrue(hostCopies().stream().anyMatch(p -> Files.isRegularFile(p.resolve("data/train.jsonl"))),
        "a folder is copied to the host under its own name");
  }

  @Test
  void aDeadWorkerIsRestartedFromTheCheckpointOnTheStore() throws Exception {
    Path straight = tmp.resolve("w2-straight");
    train(flags(straight.toString(), data.toString(), "--num_workers", "2", "--max_steps", "4", "--save_steps", "2"));
    for (String scheme : List.of("m3test", "m3obj")) {
      Path killed = tmp.resolve("w2-killed-" + scheme);
      TrainResult r = train(flags(on(scheme, killed), on(scheme, data), "--num_workers", "2", "--max_steps", "4",
          "--save_steps", "2", "--fail_worker_at_step", "1:3"));
      assertEquals(1, r.restarts(), scheme);
      assertEquals(4, r.steps(), scheme);
      TrainJobTest.assertBitwiseEqual(TrainJobTest.weights(straight), TrainJobTest.weights(killed));
    }
  }

  /** The driver's checks list, read and delete through the FileSystem API; shown on the store without rename. */
  @Test
  void freshOutputOverwriteAndResumeChecksWorkOnTheStore() throws Exception {
    String scheme = "m3obj";
    Path where = tmp.resolve("reused-" + scheme);
    String out = on(scheme, where);
    train(flags(out, on(scheme, data), "--max_steps", "3", "--save_steps", "1"));
    UsageException refused = assertThrows(UsageException.class,
        () -> train(flags(out, on(scheme, data), "--max_steps", "2")));
    assertTrue(refused.getMessage().contains("--overwrite_output_dir")
        && refused.getMessage().contains("3 checkpoint(s)"), refused.getMessage());

    Files.writeString(where.resolve("checkpoint-1/marker"), "from the first run");
    String[] run = {"--max_steps", "2", "--save_steps", "1"};
    List<String> overwrite = flags(out, on(scheme, data), run);
    overwrite.add("--overwrite_output_dir");
    train(overwrite);
    assertEquals(List.of("checkpoint-1", "checkpoint-2"), checkpoints(where), scheme + ": checkpoint-3 is gone");
    assertFalse(Files.exists(where.resolve("checkpoint-1/marker")), scheme + ": checkpoint-1 is the new run's");
    Map<String, float[]> trained = TrainJobTest.weights(where);

    Trees.delete(where.resolve("checkpoint-2"));
    List<String> resume = flags(out, on(scheme, data), run);
    resume.addAll(List.of("--resume_from_checkpoint", "True"));
    assertEquals(2, train(resume).steps());
    assertEquals(List.of("checkpoint-1", "checkpoint-2"), checkpoints(where));
    TrainJobTest.assertBitwiseEqual(trained, TrainJobTest.weights(where));
  }

  /**
   * What a write cut short leaves — on an object store a checkpoint folder without its trainer state (uploaded last),
   * where rename is atomic a hidden temporary folder that was never renamed — is never resumed: resume takes the
   * previous checkpoint and ends as the uninterrupted run.
   */
  @Test
  void anInterruptedCheckpointWriteIsNeverResumed() throws Exception {
    for (String scheme : List.of("m3test", "m3obj")) {
      Path where = tmp.resolve("interrupted-" + scheme);
      String out = on(scheme, where);
      String[] run = {"--max_steps", "4", "--save_steps", "2"};
      train(flags(out, on(scheme, data), run));
      Map<String, float[]> straight = TrainJobTest.weights(where);
      if (scheme.equals("m3obj")) {
        Files.delete(where.resolve("checkpoint-4/trainer_state.json"));
      } else {
        Files.move(where.resolve("checkpoint-4"), where.resolve(".checkpoint-4.5eed.tmp"));
      }
      OutputFolder store = OutputFolder.open(out, spark.sparkContext().hadoopConfiguration());
      assertEquals("checkpoint-2", ResumePoint.resolve("True", store, spark.sparkContext().hadoopConfiguration())
          .name(), scheme);

      List<String> resume = flags(out, on(scheme, data), run);
      resume.addAll(List.of("--resume_from_checkpoint", "True"));
      List<Path> before = hostCopies();
      train(resume);
      TrainJobTest.assertBitwiseEqual(straight, TrainJobTest.weights(where));
      List<Path> copied = hostCopies();
      copied.removeAll(before);
      assertEquals(1, copied.size(), "one new copy: " + copied);
      assertTrue(Files.isRegularFile(copied.get(0).resolve("checkpoint-2/optimizer.safetensors")),
          "resumed from the host's copy of checkpoint-2: " + copied);
    }
  }

  /** The entries of the host's cache of Hadoop copies (under --cache_path). */
  private static List<Path> hostCopies() throws IOException {
    try (Stream<Path> s = Files.list(tmp.resolve("cache/m3spark-copies"))) {
      return new ArrayList<>(s.filter(p -> !p.getFileName().toString().startsWith(".")).toList());
    }
  }

  private static List<String> checkpoints(Path where) throws IOException {
    try (Stream<Path> s = Files.list(where)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("checkpoint-")).sorted().toList();
    }
  }

  @Test
  void aHadoopCachePathIsRefused() {
    UsageException e = assertThrows(UsageException.class, () -> ArgParser.parse(TrainArgs.class,
        "--model_name_or_path", "x", "--train_data", "d", "--output_dir", "o", "--cache_path", "hdfs://nn/cache"));
    assertTrue(e.getMessage().contains("--cache_path"), e.getMessage());
  }
}
