package io.m3spark.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.m3spark.text.TokenizedText;
import io.m3spark.weights.HostTensor;
import io.m3spark.weights.SafetensorsWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Encode throughput of a random XLM-R-base-sized model (hidden 768, 12 layers; the fixture's small vocabulary).
 * Not part of CI: {@code mvn -pl common test -Dtest=EncodeSpeedBench -Dm3spark.bench=true}.
 */
@EnabledIfSystemProperty(named = "m3spark.bench", matches = "true")
class EncodeSpeedBench {
  @TempDir
  Path tmp;

  @Test
  void encodeSpeed() throws Exception {
    ObjectNode cfg = ModelConfig.read(Fixture.folder().resolve("config.json")).json();
    int layers = Integer.getInteger("m3spark.bench.layers", 12);
    int hidden = Integer.getInteger("m3spark.bench.hidden", 768);
    cfg.put("hidden_size", hidden).put("num_hidden_layers", layers).put("num_attention_heads", hidden / 64)
        .put("intermediate_size", 4 * hidden).put("max_position_embeddings", 514);
    Files.writeString(tmp.resolve("config.json"), cfg.toString());
    for (String f : new String[] {"tokenizer.json", "tokenizer_config.json"}) {
      Files.copy(Fixture.folder().resolve(f), tmp.resolve(f));
    }
    SplittableRandom rnd = new SplittableRandom(1);
    Map<String, HostTensor> w = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> e : Encoder.expectedShapes(ModelConfig.of(cfg)).entrySet()) {
      float[] v = new float[(int) HostTensor.numel(e.getValue())];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) (rnd.nextDouble() - 0.5) * 0.05f + (e.getKey().endsWith("LayerNorm.weight") ? 1f : 0f);
      }
      w.put(e.getKey(), HostTensor.ofFloats(v, e.getValue()));
    }
    SafetensorsWriter.write(tmp.resolve("model.safetensors"), w, Map.of("format", "pt"));
    w = null;
    int threads = Integer.getInteger("m3spark.bench.threads", Runtime.getRuntime().availableProcessors());
    M3Model.setNumThreads(threads);
    try (M3Model m = M3Model.load(tmp, LoadOptions.builder().initNewHeads(true).build())) {
      for (int len : new int[] {128, 512}) {
        int batchSize = len == 128 ? 32 : 8;
        List<TokenizedText> batch = new ArrayList<>();
        for (int b = 0; b < batchSize; b++) {
          int[] ids = new int[len];
          for (int i = 0; i < len; i++) {
            ids[i] = 5 + rnd.nextInt(3990);
          }
          ids[0] = 0;
          ids[len - 1] = 2;
          batch.add(TokenizedText.of(ids));
        }
        for (EncodeOptions o : new EncodeOptions[] {EncodeOptions.defaults(), EncodeOptions.all(512)}) {
          m.embed(batch, o);
          int reps = 5;
          long t0 = System.nanoTime();
          for (int r = 0; r < reps; r++) {
            m.embed(batch, o);
          }
          double s = (System.nanoTime() - t0) / 1e9 / reps;
          System.out.printf("BENCH hidden=%d layers=%d threads=%d len=%d batch=%d %s: %.3f s/batch, %.1f texts/s, %.0f tokens/s%n",
              hidden, layers, threads, len, batchSize, o.returnColbert() ? "dense+sparse+colbert" : "dense", s,
              batchSize / s, batchSize * len / s);
        }
      }
    }
  }
}
