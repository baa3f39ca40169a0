package io.m3spark.weights.onnx;

import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import io.m3spark.model.EncodeOptions;
import io.m3spark.model.LoadOptions;
import io.m3spark.model.M3Model;
import io.m3spark.text.TokenizedText;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Not a test: times the ONNX import of bge-small-en-v1.5 and dense encoding of batches of 32 × 128 tokens with our
 * PyTorch-engine encoder and with ONNX Runtime, both on the same number of threads (args[0], default 2). Run with
 * the test classpath: {@code java -cp ... io.m3spark.weights.onnx.OnnxVsTorchBenchmark 2}.
 */
final class OnnxVsTorchBenchmark {
  private static final int BATCH = 32;
  private static final int TOKENS = 128;
  private static final int WARMUP = 3;
  private static final int RUNS = 10;

  private OnnxVsTorchBenchmark() {}

  public static void main(String[] args) throws Exception {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
    Path out = Files.createTempDirectory("bench-import-").resolve("model");
    long t0 = System.nanoTime();
    OnnxImporter.importModel(BgeSmallOnnx.onnx(), BgeSmallOnnx.tokenizerJson(), out);
    System.out.printf("import: %.2f s%n", (System.nanoTime() - t0) / 1e9);

    int[][] ids = randomBatch(new Random(42));
    List<TokenizedText> batch = new ArrayList<>();
    for (int[] row : ids) {
      batch.add(TokenizedText.of(row));
    }
    M3Model.setNumThreads(threads);
    Criteria<NDList, NDList> criteria = Criteria.builder().setTypes(NDList.class, NDList.class)
        .optModelPath(BgeSmallOnnx.onnx()).optEngine("OnnxRuntime")
        .optOption("intraOpNumThreads", String.valueOf(threads)).optOption("interOpNumThreads", "1").build();
    long[][] longIds = Arrays.stream(ids).map(r -> Arrays.stream(r).asLongStream().toArray()).toArray(long[][]::new);
    EncodeOptions dense = EncodeOptions.builder().maxLength(TOKENS).returnDense(true).build();
    try (M3Model model = M3Model.load(out, LoadOptions.builder().initNewHeads(true).build());
        ZooModel<NDList, NDList> m = criteria.loadModel();
        Predictor<NDList, NDList> p = m.newPredictor()) {
      Step ours = () -> model.embed(batch, dense);
      Step ort = () -> {
        try (NDManager mgr = m.getNDManager().newSubManager()) {
          NDArray in = mgr.create(longIds);
          in.setName("input_ids");
          NDArray mask = mgr.ones(in.getShape(), in.getDataType());
          mask.setName("attention_mask");
          NDArray types = mgr.zeros(in.getShape(), in.getDataType());
          types.setName("token_type_ids");
          p.predict(new NDList(in, mask, types)).get(0).toFloatArray();
        }
      };
      // Alternate the two so that both see the same machine load (these machines are shared and noisy).
      for (int i = 0; i < WARMUP; i++) {
        ours.run();
        ort.run();
      }
      double[] oursSeconds = new double[RUNS];
      double[] ortSeconds = new double[RUNS];
      for (int i = 0; i < RUNS; i++) {
        oursSeconds[i] = time(ours);
        ortSeconds[i] = time(ort);
      }
      report("pytorch-engine (ours)", threads, oursSeconds);
      report("onnxruntime", threads, ortSeconds);
    }
  }

  /** [CLS] + 126 random word-piece ids + [SEP]: every row exactly 128 tokens, no padding. */
  private static int[][] randomBatch(Random rnd) {
    int[][] ids = new int[BATCH][TOKENS];
    for (int[] row : ids) {
      row[0] = 101;
      for (int t = 1; t < TOKENS - 1; t++) {
        row[t] = 1996 + rnd.nextInt(28000);
      }
      row[TOKENS - 1] = 102;
    }
    return ids;
  }

  private interface Step {
    void run() throws Exception;
  }

  private static double time(Step step) throws Exception {
    long t = System.nanoTime();
    step.run();
    return (System.nanoTime() - t) / 1e9;
  }

  private static void report(String what, int threads, double[] seconds) {
    Arrays.sort(seconds);
    double median = seconds[seconds.length / 2];
    System.out.printf("%s, %d threads: median %.1f ms per batch of %d×%d = %.1f texts/s (min %.1f ms)%n",
        what, threads, median * 1e3, BATCH, TOKENS, BATCH / median, seconds[0] * 1e3);
  }
}
