package io.m3spark.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.m3spark.cli.ArgParser;
import io.m3spark.jobs.spark.SparkSessions;
import io.m3spark.jobs.train.TrainArgs;
import io.m3spark.jobs.train.TrainJob;
import io.m3spark.jobs.train.TrainResult;
import io.m3spark.model.LoadOptions;
import io.m3spark.model.M3Model;
import io.m3spark.model.ModelConfig;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.SparkSession;

/**
 * Training throughput of a real {@code m3spark train} job ({@link TrainJob#run} on an embedded {@code local[2]} Spark):
 * bge-small-en-v1.5 with new M3 heads, unified fine-tuning with self-distillation, groups of 8 passages, queries 32
 * and passages 128 tokens, a global batch of {@link #GLOBAL_BATCH} queries per step: on one worker (batch 8, all
 * cores) and on two (batch 4 each, one libtorch thread each, the gradients averaged by the TCP ring on loopback). The
 * same global batch keeps the arithmetic and the activation memory of a step equal (two workers of batch 8 would need
 * twice the 8.4 GB peak of a batch-8 step on a 23 GB machine), so the difference is what data parallelism costs on
 * the same cores. Reports warm step times (the first {@link #COLD_STEPS} steps are skipped), queries per second, the
 * achieved GFLOP/s of the step against the fp32 matmul ceiling measured in the same run, and the ring all-reduce of a
 * gradient of the model's size on its own.
 *
 * <p>Data: every text of {@link BenchTexts} at least {@link #PASSAGE_LEN} tokens long (the rest are dropped) becomes
 * one record: its opening {@link #QUERY_LEN} tokens as the query, itself as the positive, the next seven as
 * negatives. Every query and passage is thus truncated to its maximum, so the padded token counts, and the FLOPs, are
 * known exactly.
 *
 * <p>Run with {@code submit/benchmark train [steps]} (default 10 steps per job).
 */
public final class TrainBenchmark {
  static final int GLOBAL_BATCH = 8;
  static final int GROUP = 8;
  static final int QUERY_LEN = 32;
  static final int PASSAGE_LEN = 128;
  static final int COLD_STEPS = 2;

  private TrainBenchmark() {}

  public static void main(String[] args) throws Exception {
    int steps = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    if (steps < COLD_STEPS + 2) {
      throw new IllegalArgumentException("steps must be at least " + (COLD_STEPS + 2));
    }
    int threads = Runtime.getRuntime().availableProcessors();
    M3Model.setNumThreads(threads);
    Path dir = Files.createTempDirectory("m3spark-train-bench-");
    ModelConfig config;
    long parameters;
    int records;
    try (M3Model model = M3Model.load(BgeSmall.folder(), LoadOptions.builder().initNewHeads(true).build())) {
      config = model.config();
      parameters = model.parameters().values().stream().mapToLong(a -> a.size()).sum();
      List<String> texts = new ArrayList<>();
      for (String t : BenchTexts.load()) {
        if (model.tokenizer().encode(t, PASSAGE_LEN).fullLength() >= PASSAGE_LEN) {
          texts.add(t);
        }
      }
      records = writeRecords(texts, dir.resolve("train.jsonl"));
    }
    double ceilingBefore = MatmulCeiling.gflops(2048, 2048, 2048);
    double ringSeconds = RingBandwidth.medianSeconds(2, Math.toIntExact(parameters), 5);

    SparkSession spark = SparkSessions.local("train-benchmark", 2);
    List<String> rows = new ArrayList<>();
    try {
      for (int workers : new int[] {1, 2}) {
        double[] warm;
        TrainResult result;
        try (StepClock clock = StepClock.attach()) {
          result = TrainJob.run(spark, trainArgs(dir, workers, steps));
          double[] all = clock.stepSeconds(); // all[i] is step i + 2
          warm = Arrays.copyOfRange(all, COLD_STEPS - 1, all.length);
        }
        M3Model.setNumThreads(threads); // the workers set their own share; give the matmuls below all cores again
        double median = median(warm);
        double mean = Arrays.stream(warm).average().orElse(Double.NaN);
        double gflops = workers * stepFlops(config, GLOBAL_BATCH / workers) / median / 1e9;
        rows.add(String.format(Locale.ROOT, "| %d | %d | %d | %.2f s | %.2f s | %.2f | %.2f | %.0f | %.4f |", workers,
            threads / workers, GLOBAL_BATCH / workers, median, mean, GLOBAL_BATCH / median, result.samplesPerSecond(),
            gflops, result.lastLoss()));
      }
    } finally {
      spark.stop();
    }
    double ceilingAfter = MatmulCeiling.gflops(2048, 2048, 2048);

    System.out.printf(Locale.ROOT, "%d records, %d params, %d steps per job (first %d not timed), %d cores, "
        + "local[2]%n", records, parameters, steps, COLD_STEPS, threads);
    System.out.printf(Locale.ROOT, "FLOPs counted per step: 3 × encoder forward of %d×%d query + %d×%d passage "
        + "tokens = %.1f GFLOP (W = 1; W = 2: %.1f)%n", GLOBAL_BATCH, QUERY_LEN, GLOBAL_BATCH * GROUP, PASSAGE_LEN,
        stepFlops(config, GLOBAL_BATCH) / 1e9, 2 * stepFlops(config, GLOBAL_BATCH / 2) / 1e9);
    System.out.println("| workers | libtorch threads each | batch per worker | step (median) | step (mean) | queries/s "
        + "(warm) | queries/s (whole job) | GFLOP/s | last loss |");
    System.out.println("|---:|---|---:|---:|---:|---:|---:|---:|---:|");
    rows.forEach(System.out::println);
    System.out.printf(Locale.ROOT, "%nfp32 matmul ceiling (2048³, %d threads): %.0f GFLOP/s before, %.0f after%n",
        threads, ceilingBefore, ceilingAfter);
    double bytes = 4.0 * parameters;
    System.out.printf(Locale.ROOT, "ring all-reduce, W=2 on loopback, %d floats (%.0f MB fp32): %.3f s median → "
        + "%.2f GB/s algorithm bandwidth (bytes/time), %.2f GB/s bus bandwidth (2(W−1)/W × bytes/time)%n",
        parameters, bytes / 1e6, ringSeconds, bytes / ringSeconds / 1e9, 2.0 * (2 - 1) / 2 * bytes / ringSeconds / 1e9);
    // Spark's barrier stage leaves two non-daemon timer threads behind (BarrierTaskContext's and BarrierCoordinator's),
    // which would keep this JVM alive for minutes after the figures are printed.
    System.exit(0);
  }

  private static TrainArgs trainArgs(Path dir, int workers, int steps) throws Exception {
    return ArgParser.parse(TrainArgs.class, "--model_name_or_path", "bge-small-en-v1.5", "--init_new_heads",
        "--train_data", dir.resolve("train.jsonl").toString(), "--output_dir", dir.resolve("out-w" + workers)
            .toString(), "--overwrite_output_dir", "--train_group_size", String.valueOf(GROUP), "--query_max_len",
        String.valueOf(QUERY_LEN), "--passage_max_len", String.valueOf(PASSAGE_LEN), "--unified_finetuning", "True",
        "--use_self_distill", "True", "--per_device_train_batch_size", String.valueOf(GLOBAL_BATCH / workers),
        "--learning_rate", "1e-5", "--max_steps", String.valueOf(steps), "--logging_steps", "1", "--save_steps", "0",
        "--num_workers", String.valueOf(workers), "--seed", "42");
  }

  /** One record per text: query = the text (cut to QUERY_LEN by the collator), positive = the text, 7 negatives. */
  private static int writeRecords(List<String> texts, Path file) throws Exception {
    if (texts.size() < GROUP) {
      throw new IllegalStateException("only " + texts.size() + " texts of " + PASSAGE_LEN + "+ tokens");
    }
    ObjectMapper json = new ObjectMapper();
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (int i = 0; i < texts.size(); i++) {
        ObjectNode o = json.createObjectNode().put("query", texts.get(i));
        o.putArray("pos").add(texts.get(i));
        var neg = o.putArray("neg");
        for (int k = 1; k < GROUP; k++) {
          neg.add(texts.get((i + k) % texts.size()));
        }
        w.write(json.writeValueAsString(o));
        w.newLine();
      }
    }
    return texts.size();
  }

  /** Forward FLOPs of one worker's micro-batch of {@code batch} queries and their groups, ×3 for the backward. */
  private static double stepFlops(ModelConfig config, int batch) {
    return 3 * (EncoderFlops.forward(config, batch, QUERY_LEN) + EncoderFlops.forward(config, batch * GROUP,
        PASSAGE_LEN));
  }

  private static double median(double[] values) {
    double[] s = values.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}
