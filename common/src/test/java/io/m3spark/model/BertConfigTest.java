package io.m3spark.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.m3spark.weights.HostTensor;
import io.m3spark.weights.SafetensorsWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tiny random BERT (prefixed names, old LayerNorm gamma/beta names, 2 token types) with the fixture's tokenizer. */
class BertConfigTest {
  private static final int H = 16;
  private static final float EPS = 1e-12f;

  @TempDir
  Path tmp;

  private Map<String, HostTensor> weights;

  private Path buildBert() throws Exception {
    ObjectNode cfg = new ObjectMapper().createObjectNode();
    cfg.put("model_type", "bert").put("vocab_size", 4002).put("hidden_size", H).put("num_hidden_layers", 2)
        .put("num_attention_heads", 2).put("intermediate_size", 32).put("hidden_act", "gelu")
        .put("hidden_dropout_prob", 0.1).put("attention_probs_dropout_prob", 0.1).put("max_position_embeddings", 64)
        .put("type_vocab_size", 2).put("layer_norm_eps", EPS).put("pad_token_id", 1);
    Files.writeString(tmp.resolve("config.json"), cfg.toString());
    for (String f : new String[] {"tokenizer.json", "tokenizer_config.json"}) {
      Files.copy(Fixture.folder().resolve(f), tmp.resolve(f));
    }
    SplittableRandom rnd = new SplittableRandom(7);
    weights = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> e : Encoder.expectedShapes(ModelConfig.read(tmp.resolve("config.json"))).entrySet()) {
      float[] v = new float[(int) HostTensor.numel(e.getValue())];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) rnd.nextGaussian() * (e.getKey().endsWith("LayerNorm.weight") ? 0.1f : 0.5f)
            + (e.getKey().endsWith("LayerNorm.weight") ? 1f : 0f);
      }
      weights.put(e.getKey(), HostTensor.ofFloats(v, e.getValue()));
    }
    Map<String, HostTensor> onDisk = new LinkedHashMap<>();
    weights.forEach((k, v) -> {
      String name = "bert." + k;
      if (k.equals("embeddings.LayerNorm.weight")) {
        name = "bert.embeddings.LayerNorm.gamma";
      } else if (k.equals("embeddings.LayerNorm.bias")) {
        name = "bert.embeddings.LayerNorm.beta";
      }
      onDisk.put(name, v);
    });
    onDisk.put("cls.predictions.bias", HostTensor.ofFloats(new float[4002], 4002));
    SafetensorsWriter.write(tmp.resolve("model.safetensors"), onDisk, Map.of("format", "pt"));
    return tmp;
  }

  /** LayerNorm(word[id] + pos[position] + type[0]) for one token, in double. */
  private double[] embeddingLayer(int id, int position) {
    float[] word = weights.get("embeddings.word_embeddings.weight").toFloats();
    float[] pos = weights.get("embeddings.position_embeddings.weight").toFloats();
    float[] type = weights.get("embeddings.token_type_embeddings.weight").toFloats();
    float[] g = weights.get("embeddings.LayerNorm.weight").toFloats();
    float[] b = weights.get("embeddings.LayerNorm.bias").toFloats();
    double[] x = new double[H];
    double mean = 0;
    for (int j = 0; j < H; j++) {
      x[j] = word[id * H + j] + pos[position * H + j] + type[j];
      mean += x[j] / H;
    }
    double var = 0;
    for (int j = 0; j < H; j++) {
      var += (x[j] - mean) * (x[j] - mean) / H;
    }
    for (int j = 0; j < H; j++) {
      x[j] = (x[j] - mean) / Math.sqrt(var + EPS) * g[j] + b[j];
    }
    return x;
  }

  @Test
  void bertLoadsWithZeroBasedPositionsAndTokenTypes() throws Exception {
    Path folder = buildBert();
    try (M3Model m = M3Model.load(folder, LoadOptions.builder().initNewHeads(true).build())) {
      assertEquals(ModelConfig.Family.BERT, m.config().family());
      int[] ids = m.tokenizer().encode("hello world", 16).ids();
      try (NDManager sub = m.parameters().get("embeddings.word_embeddings.weight").getManager().newSubManager()) {
        long[] l = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
          l[i] = ids[i];
        }
        NDArray idArr = sub.create(l, new Shape(1, ids.length));
        assertArrayEquals(new long[] {0, 1, 2}, java.util.Arrays.copyOf(m.encoder().positionIds(idArr).toLongArray(), 3));
        float[] emb = m.encoder().embeddings(m.parameters(), idArr, null).toFloatArray();
        int t = 1;
        double[] bert = embeddingLayer(ids[t], t);
        double[] xlmr = embeddingLayer(ids[t], t + 1 + 1); // XLM-R: pad_token_id + 1 + t
        double diffBert = 0;
        double diffXlmr = 0;
        for (int j = 0; j < H; j++) {
          diffBert = Math.max(diffBert, Math.abs(bert[j] - emb[t * H + j]));
          diffXlmr = Math.max(diffXlmr, Math.abs(xlmr[j] - emb[t * H + j]));
        }
        assertTrue(diffBert < 1e-5, "BERT embedding layer differs by " + diffBert);
        assertTrue(diffXlmr > 1e-2, "positions must differ from XLM-R's");
      }
      List<Embedding> out = m.encode(List.of("hello world", "The 서울 office opened in 2021"), EncodeOptions.all(32));
      for (Embedding e : out) {
        assertEquals(H, e.dense().length);
        assertEquals(e.numTokens() - 1, e.colbert().length);
        for (float v : e.dense()) {
          assertFalse(Float.isNaN(v) || Float.isInfinite(v));
        }
        for (float[] row : e.colbert()) {
          for (float v : row) {
            assertFalse(Float.isNaN(v) || Float.isInfinite(v));
          }
        }
      }
      // padded batch equals unpadded for BERT too
      Embedding single = m.encode(List.of("hello world"), EncodeOptions.all(32)).get(0);
      assertArrayEquals(single.dense(), out.get(0).dense(), 1e-5f);
      // the unknown prediction-head tensor is kept
      assertTrue(m.fingerprint().length() == 64);
    }
  }
}
