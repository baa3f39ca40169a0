package io.m3spark.cluster;

import static io.m3spark.cluster.SameOutput.sameBytes;
import static io.m3spark.cluster.SameOutput.sameJson;
import static io.m3spark.cluster.SameOutput.sameJsonLines;
import static io.m3spark.cluster.SameOutput.sameModel;
import static io.m3spark.cluster.SameOutput.sameNpy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.m3spark.jobs.TinyM3;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Lost executors: one executor JVM of a two-worker standalone cluster is killed with SIGKILL in the middle of
 * {@code embed}, {@code mine}, {@code evaluate} and {@code train}; each job must still finish, and write what the
 * uninterrupted run writes — through Spark's task and stage retries for the first three, through the driver's
 * relaunch of the training stage from its last checkpoint, in new executor JVMs, for training (killed once its first
 * checkpoint exists).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterFaultsIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final double TOLERANCE = 1e-5;
  /** ExecutorModels' line once a task has loaded the model: from then on the executor is doing device work. */
  private static final Pattern MODEL_LOADED = Pattern.compile("ExecutorModels: loaded model");
  private static final Duration KILL_WITHIN = Duration.ofMinutes(3);

  private final Path dir = LocalCluster.ROOT.resolve("jobs/target/cluster-it/faults");
  private final String model = TinyM3.folder().toString();
  private LocalCluster spark;

  @BeforeAll
  void startCluster() throws Exception {
    spark = LocalCluster.startEmpty(dir);
  }

  @AfterAll
  void stopCluster() throws Exception {
    if (spark != null) {
      spark.close();
    }
  }

  /**
   * Runs {@code command} with {@code outputs.apply("local")} on local[2], uninterrupted, then with
   * {@code outputs.apply("cluster")} on the cluster while {@code killer} waits for its moment; all must happen.
   */
  private LocalCluster.Run localThenKilled(String name, List<String> sparkOptions, KillAction killer,
      List<String> command, Function<String, List<String>> outputs) throws Exception {
    LocalCluster.Run uninterrupted = spark.local(name, withOutputs(command, outputs.apply("local")));
    assertEquals(0, uninterrupted.exitCode(), name + " failed locally:\n" + uninterrupted.tail());
    return submitAndKill(name, sparkOptions, killer, withOutputs(command, outputs.apply("cluster")));
  }

  private static String[] withOutputs(List<String> command, List<String> outputs) {
    List<String> all = new ArrayList<>(command);
    all.addAll(outputs);
    return all.toArray(new String[0]);
  }

  /** Runs {@code command} on the cluster while {@code killer} waits for its moment; both must happen. */
  private LocalCluster.Run submitAndKill(String name, List<String> sparkOptions, KillAction killer,
      String... command) throws Exception {
    CompletableFuture<Optional<String>> killed = CompletableFuture.supplyAsync(() -> {
      try {
        return killer.kill();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    LocalCluster.Run run = spark.submit(name, sparkOptions, command);
    Optional<String> victim = killed.get();
    assertTrue(victim.isPresent(), name + ": no executor was killed (the job ended first?):\n" + run.tail());
    assertEquals(0, run.exitCode(), name + " did not survive losing executor " + victim.get() + ":\n" + run.tail());
    assertTrue(run.output().contains("app-") && lostExecutorLogged(run), name + ": the driver never saw the loss:\n"
        + run.tail());
    return run;
  }

  private static boolean lostExecutorLogged(LocalCluster.Run run) {
    String out = run.output();
    return out.contains("Lost executor") || out.contains("ExecutorLostFailure") || out.contains("is now EXITED")
        || out.contains("Executor lost");
  }

  @FunctionalInterface
  private interface KillAction {
    Optional<String> kill() throws Exception;
  }

  private Path passages(int n) throws Exception {
    Path file = dir.resolve("passages.jsonl");
    if (!Files.exists(file)) {
      List<String> lines = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        lines.add(JSON.writeValueAsString(Map.of("id", "p" + i, "text", "passage " + i + " about "
            + (i % 2 == 0 ? "부가가치세 신고 " : "quarterly revenue ") + (i * 7919 % 1000) + " and topic " + i % 37)));
      }
      Files.write(file, lines, StandardCharsets.UTF_8);
    }
    return file;
  }

  /** Whether training has written a complete checkpoint (with --save_total_limit, which one changes as it runs). */
  private static boolean hasCheckpoint(Path outputDir) {
    try (var entries = Files.list(outputDir)) {
      return entries.anyMatch(p -> p.getFileName().toString().matches("checkpoint-\\d+")
          && Files.exists(p.resolve("trainer_state.json")));
    } catch (java.io.IOException | java.io.UncheckedIOException e) {
      return false; // not there yet, or changing while listed: the next poll looks again
    }
  }

  @Test
  void embedSurvivesAKilledExecutor() throws Exception {
    Path in = passages(3000);
    localThenKilled("embed", List.of(), () -> spark.killExecutorWhenLogged(MODEL_LOADED, KILL_WITHIN),
        List.of("embed", "--model_name_or_path", model, "--input", in.toString(), "--return_sparse", "--max_length",
            "48", "--num_partitions", "16", "--batch_size", "32"),
        side -> List.of("--output", dir.resolve("embed-" + side).toString()));
    sameBytes(dir.resolve("embed-local/ids.txt"), dir.resolve("embed-cluster/ids.txt"));
    sameNpy(dir.resolve("embed-local/dense.npy"), dir.resolve("embed-cluster/dense.npy"), TOLERANCE);
  }

  @Test
  void mineSurvivesAKilledExecutor() throws Exception {
    Path in = dir.resolve("train.jsonl");
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 800; i++) {
      lines.add(JSON.writeValueAsString(Map.of("query", "question " + i + " on " + (i % 41),
          "pos", List.of("answer passage " + i + " about " + (i % 41) + " and " + (i * 31 % 97)),
          "neg", List.of("other passage " + (i * 13 % 500)))));
    }
    Files.write(in, lines, StandardCharsets.UTF_8);
    localThenKilled("mine", List.of(), () -> spark.killExecutorWhenLogged(MODEL_LOADED, KILL_WITHIN),
        List.of("mine", "--model_name_or_path", model, "--input_file", in.toString(), "--range_for_sampling", "2-40",
            "--negative_number", "5", "--embedder_query_max_length", "24", "--embedder_passage_max_length", "40",
            "--num_partitions", "12", "--batch_size", "32"),
        side -> List.of("--output_file", dir.resolve("mined-" + side + ".jsonl").toString()));
    sameJsonLines(dir.resolve("mined-local.jsonl"), dir.resolve("mined-cluster.jsonl"), TOLERANCE, Set.of());
  }

  @Test
  void evaluateSurvivesAKilledExecutor() throws Exception {
    Path data = Files.createDirectories(dir.resolve("eval-set"));
    List<String> corpus = new ArrayList<>();
    List<String> queries = new ArrayList<>();
    List<String> qrels = new ArrayList<>();
    for (int i = 0; i < 1500; i++) {
      corpus.add(JSON.writeValueAsString(Map.of("id", "d" + i, "title", "", "text", "document " + i + " on "
          + (i % 53) + " with " + (i * 17 % 211))));
    }
    for (int q = 0; q < 200; q++) {
      queries.add(JSON.writeValueAsString(Map.of("id", "q" + q, "text", "find " + (q % 53) + " with " + (q * 3))));
      qrels.add(JSON.writeValueAsString(Map.of("qid", "q" + q, "docid", "d" + (q * 7 % 1500), "relevance", 1)));
    }
    Files.write(data.resolve("corpus.jsonl"), corpus, StandardCharsets.UTF_8);
    Files.write(data.resolve("test_queries.jsonl"), queries, StandardCharsets.UTF_8);
    Files.write(data.resolve("test_qrels.jsonl"), qrels, StandardCharsets.UTF_8);
    localThenKilled("evaluate", List.of(), () -> spark.killExecutorWhenLogged(MODEL_LOADED, KILL_WITHIN),
        List.of("evaluate", "--eval_name", "faults", "--dataset_dir", data.toString(), "--splits", "test",
            "--embedder_name_or_path", model, "--search_top_k", "20", "--k_values", "1", "10",
            "--embedder_query_max_length", "24", "--embedder_passage_max_length", "40", "--embedder_batch_size", "32",
            "--eval_output_method", "json"),
        side -> List.of("--output_dir", dir.resolve("evaluate-" + side).toString(), "--eval_output_path",
            dir.resolve("evaluate-" + side + ".json").toString()));
    sameJson(dir.resolve("evaluate-local.json"), dir.resolve("evaluate-cluster.json"), 1e-6, Set.of());
  }

  @Test
  void trainingRestartsFromItsCheckpointInNewExecutors() throws Exception {
    Path data = dir.resolve("train-data.jsonl");
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      lines.add(JSON.writeValueAsString(Map.of("query", "what about topic " + i + "?",
          "pos", List.of("a passage about topic " + i + " in detail"),
          "neg", List.of("unrelated " + (i + 1), "unrelated " + (i + 2), "unrelated " + (i + 3)))));
    }
    Files.write(data, lines, StandardCharsets.UTF_8);
    List<String> flags = List.of("train", "--model_name_or_path", model, "--train_data", data.toString(),
        "--num_workers", "2", "--train_group_size", "3", "--query_max_len", "16", "--passage_max_len", "32",
        "--per_device_train_batch_size", "2", "--learning_rate", "1e-3", "--max_steps", "150", "--save_steps", "3",
        "--save_total_limit", "2",
        "--logging_steps", "1", "--unified_finetuning", "--use_self_distill", "--dataloader_drop_last", "True",
        "--seed", "11");
    Path localOut = dir.resolve("model-local");
    Path clusterOut = dir.resolve("model-cluster");
    LocalCluster.Run run = localThenKilled("train", ClusterPipelineIT.TRAINING_THREADS,
        () -> spark.killAnExecutorWhen(() -> hasCheckpoint(clusterOut), KILL_WITHIN), flags,
        side -> List.of("--output_dir", dir.resolve("model-" + side).toString()));
    assertTrue(run.output().contains("restart 1 of at most"), "the driver did not relaunch:\n" + run.tail());
    sameModel(localOut, clusterOut, 0, ClusterPipelineIT.TRAINING_NUMBERS, ClusterPipelineIT.WHERE);
    sameJson(localOut.resolve("training_loss.json"), clusterOut.resolve("training_loss.json"), 0, Set.of());
  }
}
