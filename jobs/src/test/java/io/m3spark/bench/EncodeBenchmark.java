package io.m3spark.bench;

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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Encoding throughput of bge-small-en-v1.5: our PyTorch-engine encoder against ONNX Runtime running the original ONNX
 * file, same threads, same token ids, in one JVM, alternating so both see the same machine load. Sequences of 128 and
 * 512 tokens (no padding), batches of 1 and 32; dense output for ours, last_hidden_state for ONNX Runtime. Prints a
 * markdown table: tokens/s of both, the ratio, and our achieved GFLOP/s.
 *
 * <p>Run with {@code submit/benchmark encode [threads]} (default 2 threads).
 */
public final class EncodeBenchmark {
  private EncodeBenchmark() {}

  public static void main(String[] args) throws Exception {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
    M3Model.setNumThreads(threads);
    Criteria<NDList, NDList> criteria = Criteria.builder().setTypes(NDList.class, NDList.class)
        .optModelPath(BgeSmall.onnx()).optEngine("OnnxRuntime")
        .optOption("intraOpNumThreads", String.valueOf(threads)).optOption("interOpNumThreads", "1").build();
    EncodeOptions dense = EncodeOptions.builder().maxLength(512).returnDense(true).build();
    System.out.printf(Locale.ROOT, "| tokens | batch | ours tokens/s | ONNX Runtime tokens/s | ratio | ours GFLOP/s |%n");
    System.out.printf(Locale.ROOT, "|---:|---:|---:|---:|---:|---:|%n");
    try (M3Model model = M3Model.load(BgeSmall.folder(), LoadOptions.builder().initNewHeads(true).build());
        ZooModel<NDList, NDList> onnx = criteria.loadModel();
        Predictor<NDList, NDList> predictor = onnx.newPredictor()) {
      for (int tokens : new int[] {128, 512}) {
        for (int batch : new int[] {1, 32}) {
          int[][] ids = randomIds(batch, tokens, new SplittableRandom(42));
          List<TokenizedText> texts = new ArrayList<>();
          for (int[] row : ids) {
            texts.add(TokenizedText.of(row));
          }
          long[][] longIds = Arrays.stream(ids).map(r -> Arrays.stream(r).asLongStream().toArray()).toArray(long[][]::new);
          Timing.Step ours = () -> model.embed(texts, dense);
          Timing.Step ort = () -> {
            try (NDManager manager = onnx.getNDManager().newSubManager()) {
              NDArray input = manager.create(longIds);
              input.setName("input_ids");
              NDArray mask = manager.ones(input.getShape(), input.getDataType());
              mask.setName("attention_mask");
              NDArray types = manager.zeros(input.getShape(), input.getDataType());
              types.setName("token_type_ids");
              try (NDList out = predictor.predict(new NDList(input, mask, types))) {
                out.get(0).toFloatArray();
              }
            }
          };
          double[] seconds = Timing.alternating(2, 5, 3.0, ours, ort);
          double n = (double) batch * tokens;
          double gflops = EncoderFlops.forward(model.config(), batch, tokens) / seconds[0] / 1e9;
          System.out.printf(Locale.ROOT, "| %d | %d | %.0f | %.0f | %.2f× | %.0f |%n",
              tokens, batch, n / seconds[0], n / seconds[1], seconds[1] / seconds[0], gflops);
        }
      }
    }
    System.out.printf(Locale.ROOT, "%nmatmul ceiling through the same libtorch: %.0f GFLOP/s (2048³ fp32, %d threads)%n",
        MatmulCeiling.gflops(2048, 2048, 2048), threads);
  }

  /** [CLS] + random word pieces + [SEP], every row exactly {@code tokens} long. */
  private static int[][] randomIds(int batch, int tokens, SplittableRandom rnd) {
    int[][] ids = new int[batch][tokens];
    for (int[] row : ids) {
      row[0] = 101;
      for (int t = 1; t < tokens - 1; t++) {
        row[t] = 1996 + rnd.nextInt(28000);
      }
      row[tokens - 1] = 102;
    }
    return ids;
  }
}
