package io.m3spark.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.m3spark.model.DropoutKey;
import io.m3spark.model.LoadOptions;
import io.m3spark.model.M3Model;
import io.m3spark.text.TokenBatch;
import io.m3spark.text.TokenizedText;
import io.m3spark.train.EncodedBatch;
import io.m3spark.train.EncoderPass;
import io.m3spark.train.Gradients;
import io.m3spark.train.InfoNceLoss;
import io.m3spark.train.ScoreMatrices;
import io.m3spark.train.SelfDistillLoss;
import io.m3spark.train.UnifiedLoss;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Peak memory and time of one training step (forward + backward of the unified self-distillation loss, no optimizer
 * update) of bge-small-en-v1.5 with dropout 0.1, for the plain pass, activation checkpointing, sub-batches and both.
 * Batch: 8 queries of 32 tokens, each with a group of 8 passages of 128 tokens (random ids, no padding).
 *
 * <p>Each mode runs in its own JVM (peak resident memory cannot be compared within one process): load the model, one
 * warm-up step, then {@code STEPS} timed steps (mean); the child reports VmRSS after loading and VmHWM (peak resident set of
 * the whole process: JVM, libtorch, weights, gradients, activations, allocator caches) at the end. Run without
 * arguments for all four modes and a markdown table; {@code submit/benchmark train-memory}.
 */
public final class TrainStepMemory {
  private static final int QUERIES = 8;
  private static final int GROUP = 8;
  private static final int QUERY_TOKENS = 32;
  private static final int PASSAGE_TOKENS = 128;
  private static final int STEPS = 2;
  private static final String RESULT = "RESULT ";

  private enum Mode {
    PLAIN(0, false), CHECKPOINTING(0, true), SUB_BATCHES_8(8, false), BOTH(8, true);

    final int subBatchSize;
    final boolean checkpointing;

    Mode(int subBatchSize, boolean checkpointing) {
      this.subBatchSize = subBatchSize;
      this.checkpointing = checkpointing;
    }
  }

  private TrainStepMemory() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 1) {
      runOne(Mode.valueOf(args[0]));
      return;
    }
    System.out.printf(Locale.ROOT, "| mode | RSS after load (MiB) | peak RSS (MiB) | peak − load (MiB) | step (s, mean of %d) |%n",
        STEPS);
    System.out.printf(Locale.ROOT, "|---|---:|---:|---:|---:|%n");
    for (Mode mode : Mode.values()) {
      System.out.println(child(mode));
    }
  }

  /** Runs one mode in a fresh JVM with this JVM's class path and heap limit; returns its table row. */
  private static String child(Mode mode) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx" + Runtime.getRuntime().maxMemory() / (1 << 20) + "m", "-Dai.djl.offline=true",
        "-cp", System.getProperty("java.class.path"), TrainStepMemory.class.getName(), mode.name()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String row = null;
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        if (line.startsWith(RESULT)) {
          row = line.substring(RESULT.length());
        }
      }
    }
    if (p.waitFor() != 0 || row == null) {
      throw new IOException("mode " + mode + " failed (exit " + p.exitValue() + ")");
    }
    return row;
  }

  private static void runOne(Mode mode) throws Exception {
    try (M3Model model = M3Model.load(BgeSmall.folder(), LoadOptions.builder().initNewHeads(true).build())) {
      model.parameters().values().forEach(a -> a.setRequiresGradient(true));
      long loadedKib = procStatus("VmRSS");
      EncoderPass pass = new EncoderPass(model.encoder(), model.parameters(), mode.subBatchSize, mode.checkpointing);
      TokenBatch queries = randomBatch(QUERIES, QUERY_TOKENS, 1);
      TokenBatch passages = randomBatch(QUERIES * GROUP, PASSAGE_TOKENS, 2);
      float loss = step(model, pass, queries, passages);
      long t0 = System.nanoTime();
      for (int s = 0; s < STEPS; s++) {
        loss = step(model, pass, queries, passages);
      }
      double seconds = (System.nanoTime() - t0) / 1e9 / STEPS;
      double mib = 1024.0;
      System.out.printf(Locale.ROOT, "%s| %s (loss %.5f) | %.0f | %.0f | %.0f | %.2f |%n", RESULT, mode, loss,
          loadedKib / mib, procStatus("VmHWM") / mib, (procStatus("VmHWM") - loadedKib) / mib, seconds);
    }
  }

  /** One forward + backward; returns the loss. Same keys every step, so every mode sees the same masks. */
  private static float step(M3Model model, EncoderPass pass, TokenBatch queries, TokenBatch passages) {
    Gradients.zero(model.parameters().values());
    try (NDManager m = NDManager.newBaseManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      EncodedBatch q = EncodedBatch.of(pass.forward(queries, new DropoutKey(1, 0), m), queries, model.parameters());
      EncodedBatch p = EncodedBatch.of(pass.forward(passages, new DropoutKey(2, 0), m), passages, model.parameters());
      ScoreMatrices s = ScoreMatrices.compute(q, p, 0.02f, model.tokenizer().specialIds());
      NDArray loss = SelfDistillLoss.of(s, UnifiedLoss.of(s, x -> InfoNceLoss.of(x, GROUP)).total()).total();
      gc.backward(loss);
      pass.backward();
      return loss.getFloat();
    }
  }

  /** Rows of CLS, random word-piece ids, SEP (no padding). */
  private static TokenBatch randomBatch(int rows, int tokens, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<TokenizedText> texts = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      int[] ids = new int[tokens];
      ids[0] = 101;
      for (int t = 1; t < tokens - 1; t++) {
        ids[t] = 1000 + r.nextInt(29000);
      }
      ids[tokens - 1] = 102;
      texts.add(TokenizedText.of(ids));
    }
    return TokenBatch.pad(texts, 0, 1);
  }

  /** A "kB" field of /proc/self/status, in KiB. */
  private static long procStatus(String field) throws IOException {
    for (String line : Files.readAllLines(new File("/proc/self/status").toPath())) {
      if (line.startsWith(field + ":")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IOException("no " + field + " in /proc/self/status");
  }
}
