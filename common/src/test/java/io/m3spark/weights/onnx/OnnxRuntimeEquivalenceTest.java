package io.m3spark.weights.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import io.m3spark.model.EncodeOptions;
import io.m3spark.model.Embedding;
import io.m3spark.model.LoadOptions;
import io.m3spark.model.M3Model;
import io.m3spark.model.Pooling;
import io.m3spark.text.TokenizedText;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The imported bge-small-en-v1.5, run by our PyTorch-engine encoder, against the original ONNX file run by ONNX
 * Runtime (an independent implementation) on one right-padded batch of texts of different lengths.
 */
class OnnxRuntimeEquivalenceTest {
  private static final double TOL = 1e-4;
  private static final List<String> TEXTS = List.of(
      "What is BGE M3?",
      "BGE M3 is an embedding model supporting dense retrieval, lexical matching and multi-vector interaction.",
      "Spark",
      "Definition of BM25: a bag-of-words retrieval function that ranks a set of documents based on the query "
          + "terms appearing in each document, regardless of their proximity within the document.");

  private static long[][] ids;
  private static long[][] mask;
  private static float[][][] onnxHidden;
  private static M3Model model;

  @BeforeAll
  static void runBoth() throws Exception {
    try (HuggingFaceTokenizer tok = HuggingFaceTokenizer.builder()
        .optTokenizerPath(BgeSmallOnnx.tokenizerJson()).optPadding(true).build()) {
      Encoding[] enc = tok.batchEncode(TEXTS);
      ids = Arrays.stream(enc).map(Encoding::getIds).toArray(long[][]::new);
      mask = Arrays.stream(enc).map(Encoding::getAttentionMask).toArray(long[][]::new);
    }
    onnxHidden = onnxRuntimeLastHiddenState(ids, mask);
    model = M3Model.load(BgeSmallOnnx.imported().folder(), LoadOptions.builder().initNewHeads(true).build());
  }

  @AfterAll
  static void close() {
    if (model != null) {
      model.close();
    }
  }

  private static float[][][] onnxRuntimeLastHiddenState(long[][] ids, long[][] mask) throws Exception {
    Criteria<NDList, NDList> criteria = Criteria.builder().setTypes(NDList.class, NDList.class)
        .optModelPath(BgeSmallOnnx.onnx()).optEngine("OnnxRuntime").build();
    try (ZooModel<NDList, NDList> m = criteria.loadModel();
        Predictor<NDList, NDList> p = m.newPredictor();
        NDManager mgr = m.getNDManager().newSubManager()) {
      NDArray inputIds = mgr.create(ids);
      inputIds.setName("input_ids");
      NDArray attention = mgr.create(mask);
      attention.setName("attention_mask");
      NDArray types = mgr.zeros(inputIds.getShape(), inputIds.getDataType());
      types.setName("token_type_ids");
      NDArray h = p.predict(new NDList(inputIds, attention, types)).get(0);
      int b = ids.length;
      int len = ids[0].length;
      int hidden = (int) h.getShape().get(2);
      float[] flat = h.toFloatArray();
      float[][][] out = new float[b][len][];
      for (int i = 0; i < b; i++) {
        for (int t = 0; t < len; t++) {
          out[i][t] = Arrays.copyOfRange(flat, (i * len + t) * hidden, (i * len + t + 1) * hidden);
        }
      }
      return out;
    }
  }

  @Test
  void batchIsPaddedAsIntended() {
    long lengths = Arrays.stream(mask).mapToLong(m -> Arrays.stream(m).sum()).distinct().count();
    assertEquals(TEXTS.size(), lengths, "texts must have different lengths so the batch has padding");
  }

  @Test
  void lastHiddenStateMatchesOnnxRuntimeOnRealTokens() {
    List<TokenizedText> batch = new ArrayList<>();
    for (int i = 0; i < ids.length; i++) {
      int n = (int) Arrays.stream(mask[i]).sum();
      batch.add(TokenizedText.of(Arrays.stream(ids[i], 0, n).mapToInt(Math::toIntExact).toArray()));
    }
    List<float[][]> ours = model.hiddenStates(batch);
    double worst = 0;
    for (int i = 0; i < ids.length; i++) {
      assertEquals(batch.get(i).length(), ours.get(i).length);
      for (int t = 0; t < ours.get(i).length; t++) {
        for (int d = 0; d < ours.get(i)[t].length; d++) {
          worst = Math.max(worst, Math.abs(ours.get(i)[t][d] - onnxHidden[i][t][d]));
        }
      }
    }
    assertTrue(worst <= TOL, "max |ours - ONNX Runtime| over real tokens = " + worst);
  }

  @Test
  void normalisedClsEmbeddingMatchesOnnxRuntime() {
    List<Embedding> ours = model.encode(TEXTS,
        EncodeOptions.builder().maxLength(512).returnDense(true).pooling(Pooling.CLS).normalize(true).build());
    for (int i = 0; i < TEXTS.size(); i++) {
      int n = (int) Arrays.stream(mask[i]).sum();
      assertEquals(n, ours.get(i).numTokens(), "our tokenizer path gives the same length for text " + i);
      float[] expected = normalised(onnxHidden[i][0]);
      float[] actual = ours.get(i).dense();
      assertArrayEquals(expected, actual, (float) TOL, "text " + i);
    }
  }

  private static float[] normalised(float[] v) {
    double norm = 0;
    for (float x : v) {
      norm += x * x;
    }
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) (v[i] / Math.sqrt(norm));
    }
    return out;
  }
}
