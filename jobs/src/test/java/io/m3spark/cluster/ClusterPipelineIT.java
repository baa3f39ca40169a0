package io.m3spark.cluster;

import static io.m3spark.cluster.SameOutput.sameBytes;
import static io.m3spark.cluster.SameOutput.sameJson;
import static io.m3spark.cluster.SameOutput.sameJsonLines;
import static io.m3spark.cluster.SameOutput.sameNpy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m3spark.jobs.TinyM3;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The whole recipe — prepare, embed, search, mine, evaluate, eval-run, train on two workers — submitted through
 * {@code submit/m3spark-submit} with the shipped properties to a two-worker standalone cluster on loopback, each output
 * compared with the same command run by {@code submit/m3spark} on an embedded {@code local[2]}. Each step reads what the previous
 * one wrote (the local run's copy, so a cluster defect shows at the step that has it).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterPipelineIT {
  /** Outputs of fp32 arithmetic whose sums the two runs may order differently. */
  private static final double TOLERANCE = 1e-5;
  /** Fields that hold timings, paths or rates: they differ between any two runs. */
  private static final Set<String> RUN_SPECIFIC = Set.of("seconds", "embed_seconds", "total_seconds", "output",
      "timings", "elapsed_seconds", "stage_seconds", "created", "path", "input", "output_file", "input_file");

  /** What training writes beside the weights that holds rates or is drawn from losses compared on their own. */
  static final Set<String> TRAINING_NUMBERS = Set.of("training_loss.png", "training_loss.json", "progress.json");
  /** The flags of a checkpoint's trainer state that name where the run read and wrote. */
  static final Set<String> WHERE = Set.of("output_dir", "train_data");
  /**
   * Training workers with one CPU each, as the local[2] run's, in two executors of one core (not four: the workers'
   * two cores each would take two), so that every executor runs a worker.
   */
  static final List<String> TRAINING_THREADS = List.of("--conf", "spark.executor.cores=1", "--conf",
      "spark.cores.max=2");

  private final Path dir = LocalCluster.ROOT.resolve("jobs/target/cluster-it/pipeline");
  private final Path local = dir.resolve("local");
  private final Path cluster = dir.resolve("cluster");
  private final String model = TinyM3.folder().toString();
  private LocalCluster spark;

  @BeforeAll
  void startCluster() throws Exception {
    spark = LocalCluster.startEmpty(dir);
    QaData.write(dir.resolve("squad.json"), 60);
  }

  @AfterAll
  void stopCluster() throws Exception {
    if (spark != null) {
      spark.close();
    }
  }

  /** Runs {@code command} (with {@code {out}} standing for the run's own folder) locally and on the cluster. */
  private void both(String name, String... command) throws IOException, InterruptedException {
    both(name, List.of(), command);
  }

  private void both(String name, List<String> sparkOptions, String... command) throws IOException,
      InterruptedException {
    LocalCluster.Run l = spark.local(name, substitute(command, local));
    assertEquals(0, l.exitCode(), name + " failed locally:\n" + l.tail());
    LocalCluster.Run c = spark.submit(name, sparkOptions, substitute(command, cluster));
    assertEquals(0, c.exitCode(), name + " failed on the cluster:\n" + c.tail());
  }

  private String[] substitute(String[] command, Path out) {
    List<String> args = new ArrayList<>();
    for (String a : command) {
      args.add(a.replace("{out}", out.toString()).replace("{in}", local.toString()));
    }
    return args.toArray(new String[0]);
  }

  @Test
  @Order(1)
  void prepare() throws Exception {
    both("import-squad", "prepare", "import-squad", "--input", dir.resolve("squad.json").toString(),
        "--output", "{out}/qa.jsonl");
    sameBytes(local.resolve("qa.jsonl"), cluster.resolve("qa.jsonl"));
    both("split", "prepare", "split", "--input", "{in}/qa.jsonl", "--output_dir", "{out}/split", "--test_ratio",
        "0.25", "--seed", "7");
    for (String f : List.of("train.jsonl", "test.jsonl", "split_report.json")) {
      sameBytes(local.resolve("split").resolve(f), cluster.resolve("split").resolve(f));
    }
    both("make-eval-set", "prepare", "make-eval-set", "--input", "{in}/split/test.jsonl", "--output_dir", "{out}/eval-set");
    for (String f : List.of("corpus.jsonl", "test_queries.jsonl", "test_qrels.jsonl")) {
      sameBytes(local.resolve("eval-set").resolve(f), cluster.resolve("eval-set").resolve(f));
    }
  }

  @Test
  @Order(2)
  void embed() throws Exception {
    both("embed-corpus", "embed", "--model_name_or_path", model, "--input", "{in}/eval-set/corpus.jsonl",
        "--output", "{out}/corpus-embeddings", "--return_sparse", "--output_format", "jsonl", "--max_length", "64",
        "--num_partitions", "5");
    both("embed-queries", "embed", "--model_name_or_path", model, "--input", "{in}/eval-set/test_queries.jsonl",
        "--kind", "query", "--output", "{out}/query-embeddings", "--max_length", "32");
    for (String folder : List.of("corpus-embeddings", "query-embeddings")) {
      sameBytes(local.resolve(folder).resolve("ids.txt"), cluster.resolve(folder).resolve("ids.txt"));
      sameNpy(local.resolve(folder).resolve("dense.npy"), cluster.resolve(folder).resolve("dense.npy"), TOLERANCE);
      sameJson(local.resolve(folder).resolve("_embed.json"), cluster.resolve(folder).resolve("_embed.json"), 0,
          RUN_SPECIFIC);
    }
    sameJsonLines(local.resolve("corpus-embeddings/embeddings"), cluster.resolve("corpus-embeddings/embeddings"),
        TOLERANCE, Set.of());
  }

  @Test
  @Order(3)
  void search() throws Exception {
    both("search", "search", "--corpus_embeddings", "{in}/corpus-embeddings", "--query_embeddings",
        "{in}/query-embeddings", "--top_k", "10", "--output", "{out}/search", "--query_block_size", "16",
        "--corpus_shard_size", "40");
    sameJsonLines(local.resolve("search/results"), cluster.resolve("search/results"), TOLERANCE, Set.of());
  }

  @Test
  @Order(4)
  void evalRun() throws Exception {
    both("eval-run", "eval-run", "--qrels", "{in}/eval-set/test_qrels.jsonl", "--run", "{in}/search/results",
        "--k_values", "1", "5", "10", "--eval_output_method", "json", "--eval_output_path", "{out}/eval-run.json");
    sameBytes(local.resolve("eval-run.json"), cluster.resolve("eval-run.json"));
  }

  @Test
  @Order(5)
  void mine() throws Exception {
    both("mine", "mine", "--model_name_or_path", model, "--input_file", "{in}/split/train.jsonl", "--output_file",
        "{out}/mined.jsonl", "--range_for_sampling", "2-30", "--negative_number", "4", "--embedder_query_max_length",
        "32", "--embedder_passage_max_length", "64", "--add_scores", "--num_partitions", "3");
    sameJsonLines(local.resolve("mined.jsonl"), cluster.resolve("mined.jsonl"), TOLERANCE, Set.of());
  }

  /** The evaluate command of the suite: dense, sparse and all-modes rows of the tiny model. */
  private String[] evaluation(String dataset, String outputDir, String report) {
    return new String[] {"evaluate", "--eval_name", "cluster-suite", "--dataset_dir", dataset, "--splits", "test",
        "--embedder_name_or_path", model, "--retrieval_mode", "dense", "sparse", "all", "--search_top_k", "20",
        "--k_values", "1", "5", "10", "--embedder_query_max_length", "32", "--embedder_passage_max_length", "64",
        "--output_dir", outputDir, "--eval_output_method", "json", "--eval_output_path", report};
  }

  /** The train command of the suite: two workers, unified fine-tuning with self-distillation and dropout. */
  private String[] training(String data, String outputDir) {
    return new String[] {"train", "--model_name_or_path", model, "--train_data", data, "--output_dir", outputDir,
        "--num_workers", "2", "--train_group_size", "3", "--query_max_len", "16", "--passage_max_len", "32",
        "--per_device_train_batch_size", "2", "--learning_rate", "1e-3", "--max_steps", "4", "--save_steps", "2",
        "--logging_steps", "1", "--unified_finetuning", "--use_self_distill", "--hidden_dropout_prob", "0.1",
        "--dataloader_drop_last", "True", "--seed", "7"};
  }

  /** The final model and the last checkpoint are the local run's, bit for bit (paths in trainer states aside). */
  private void sameTraining(Path expected, Path actual) throws IOException {
    SameOutput.sameModel(expected, actual, 0, TRAINING_NUMBERS);
    SameOutput.sameModel(expected.resolve("checkpoint-4"), actual.resolve("checkpoint-4"), 0, TRAINING_NUMBERS,
        WHERE);
  }

  @Test
  @Order(6)
  void evaluate() throws Exception {
    both("evaluate", evaluation("{in}/eval-set", "{out}/evaluate", "{out}/evaluate/eval_results.json"));
    sameJson(local.resolve("evaluate/eval_results.json"), cluster.resolve("evaluate/eval_results.json"), 1e-6,
        RUN_SPECIFIC);
    String row = TinyM3.folder().getFileName().toString();
    sameJson(local.resolve("evaluate").resolve(row).resolve("NoReranker/test.json"),
        cluster.resolve("evaluate").resolve(row).resolve("NoReranker/test.json"), TOLERANCE, Set.of());
  }

  @Test
  @Order(7)
  void trainOnTwoWorkers() throws Exception {
    // one libtorch thread per worker, as the local[2] run gives each of its two workers: the same arithmetic, so
    // the same bits (libtorch blocks its sums by thread count)
    both("train", TRAINING_THREADS, training("{in}/mined.jsonl", "{out}/model"));
    sameTraining(local.resolve("model"), cluster.resolve("model"));
    sameJson(local.resolve("model/training_loss.json"), cluster.resolve("model/training_loss.json"), 0,
        RUN_SPECIFIC);
    assertTrue(Files.size(cluster.resolve("model/training_loss.png")) > 0);
  }

  /**
   * Training data, checkpoints and model, and evaluation results on stores every executor sees through Hadoop's
   * FileSystem API rather than java.nio: a store with atomic rename ({@code m3test://}, as HDFS), one without
   * ({@code m3obj://}, as S3) and a {@code file:} URI — the test FileSystems, shipped to the cluster as a jar, serve
   * this machine's disk, which the loopback cluster's JVMs share.
   */
  @Test
  @Order(8)
  void trainAndEvaluateOnHadoopStores() throws Exception {
    List<String> stores = new ArrayList<>(TRAINING_THREADS);
    stores.addAll(List.of("--jars", TestFileSystems.jar(dir).toString(),
        "--conf", "spark.hadoop.fs.m3test.impl=io.m3spark.jobs.testfs.LocalDiskFileSystem",
        "--conf", "spark.hadoop.fs.m3obj.impl=io.m3spark.jobs.testfs.LocalDiskFileSystem$WithoutRename",
        "--conf", "spark.hadoop.m3spark.object-store-schemes=m3obj"));
    LocalCluster.Run train = spark.submit("train-stores", stores, training("m3test://" + local.resolve("mined.jsonl"),
        "m3obj://" + cluster.resolve("model-store")));
    assertEquals(0, train.exitCode(), train.tail());
    sameTraining(local.resolve("model"), cluster.resolve("model-store"));

    LocalCluster.Run evaluate = spark.submit("evaluate-stores", stores, evaluation(local.resolve("eval-set").toString(),
        cluster.resolve("evaluate-store").toUri().toString(), "m3test://" + cluster.resolve("evaluate-store.json")));
    assertEquals(0, evaluate.exitCode(), evaluate.tail());
    sameJson(local.resolve("evaluate/eval_results.json"), cluster.resolve("evaluate-store.json"), 1e-6, RUN_SPECIFIC);
  }
}
