package io.m3spark.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.m3spark.cli.ArgParser;
import io.m3spark.jobs.embed.EmbedArgs;
import io.m3spark.jobs.embed.EmbedJob;
import io.m3spark.jobs.embed.EmbedResult;
import io.m3spark.jobs.embed.TokenBudgetBatcher;
import io.m3spark.model.EncodeOptions;
import io.m3spark.model.LoadOptions;
import io.m3spark.model.M3Model;
import io.m3spark.text.TokenizedText;
import io.m3spark.jobs.spark.SparkSessions;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.SparkSession;

/**
 * Spark's overhead on embedding: the same texts, model (bge-small-en-v1.5), max length and batching, encoded once in a
 * single process (tokenise, sort by length, token-budget batches, {@link M3Model#embed}) and once by {@code m3spark
 * embed} on an embedded {@code local[2]} Spark (reading, checks, partitioning, executor model cache, writing Parquet
 * and dense.npy). Also the achieved GFLOP/s of the single-process encoding against the matmul ceiling measured in the
 * same run.
 *
 * <p>Run with {@code submit/benchmark embed-job [max_length] [batch_size]} (defaults 256 and 32).
 */
public final class EmbedJobBenchmark {
  private EmbedJobBenchmark() {}

  public static void main(String[] args) throws Exception {
    int maxLength = args.length > 0 ? Integer.parseInt(args[0]) : 256;
    int batchSize = args.length > 1 ? Integer.parseInt(args[1]) : 32;
    int threads = Runtime.getRuntime().availableProcessors();
    M3Model.setNumThreads(threads);
    List<String> texts = BenchTexts.load();
    Path dir = Files.createTempDirectory("m3spark-embed-bench-");
    Path input = dir.resolve("texts.jsonl");
    writeJsonl(texts, input);

    double single;
    double flops;
    long tokens;
    try (M3Model model = M3Model.load(BgeSmall.folder(), LoadOptions.builder().initNewHeads(true).build())) {
      EncodeOptions dense = EncodeOptions.builder().maxLength(maxLength).returnDense(true).build();
      model.encode(texts.subList(0, Math.min(batchSize, texts.size())), dense); // warm-up
      long start = System.nanoTime();
      TokenizedText[] tokenized = texts.stream().map(t -> model.tokenizer().encode(t, maxLength))
          .sorted(Comparator.comparingInt(TokenizedText::length).reversed()).toArray(TokenizedText[]::new);
      int[] lengths = Arrays.stream(tokenized).mapToInt(TokenizedText::length).toArray();
      flops = 0;
      for (TokenBudgetBatcher.Batch b : new TokenBudgetBatcher(batchSize, (long) batchSize * maxLength).batches(lengths)) {
        model.embed(new ArrayList<>(Arrays.asList(tokenized).subList(b.start(), b.end())), dense);
        flops += EncoderFlops.forward(model.config(), b.size(), lengths[b.start()]);
      }
      single = (System.nanoTime() - start) / 1e9;
      tokens = Arrays.stream(lengths).asLongStream().sum();
    }

    SparkSession spark = SparkSessions.local("embed-benchmark", 2);
    EmbedResult job;
    double jobSeconds;
    try {
      EmbedArgs embedArgs = ArgParser.parse(EmbedArgs.class, "--model_name_or_path", "bge-small-en-v1.5",
          "--input", input.toString(), "--output", dir.resolve("out").toString(), "--max_length",
          String.valueOf(maxLength), "--batch_size", String.valueOf(batchSize), "--overwrite");
      long start = System.nanoTime();
      job = EmbedJob.run(spark, embedArgs);
      jobSeconds = (System.nanoTime() - start) / 1e9;
    } finally {
      spark.stop();
    }

    double ceiling = MatmulCeiling.gflops(2048, 2048, 2048);
    System.out.printf(Locale.ROOT, "%d texts, %d tokens (max_length %d, batch_size %d), %d threads%n",
        texts.size(), tokens, maxLength, batchSize, threads);
    System.out.printf(Locale.ROOT, "| run | seconds | texts/s | tokens/s | vs single process |%n|---|---:|---:|---:|---:|%n");
    row("single process (M3Model.embed)", single, texts.size(), tokens, single);
    row("m3spark embed local[2], embedding stage", job.embedSeconds(), job.embedded(), job.tokens(), single);
    row("m3spark embed local[2], whole job", jobSeconds, job.embedded(), job.tokens(), single);
    System.out.printf(Locale.ROOT, "%nsingle process: %.0f GFLOP/s of encoder arithmetic; matmul ceiling %.0f GFLOP/s "
        + "(2048³ fp32, same libtorch) → %.0f%% of the ceiling%n", flops / single / 1e9, ceiling,
        100 * flops / single / 1e9 / ceiling);
  }

  private static void row(String what, double seconds, long texts, long tokens, double single) {
    System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f | %.0f | %.2f× |%n", what, seconds, texts / seconds,
        tokens / seconds, single / seconds);
  }

  private static void writeJsonl(List<String> texts, Path file) throws Exception {
    ObjectMapper json = new ObjectMapper();
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (int i = 0; i < texts.size(); i++) {
        ObjectNode o = json.createObjectNode().put("id", "t" + i).put("text", texts.get(i));
        w.write(json.writeValueAsString(o));
        w.newLine();
      }
    }
  }
}
