package io.m3spark.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Weight formats, missing heads, bad shapes, devices. */
class LoadingTest {
  @TempDir
  Path tmp;

  private static List<String> fixtureTexts() {
    List<String> out = new ArrayList<>();
    Fixture.expected().get("texts").forEach(t -> out.add(t.get("text").asText()));
    return out;
  }

  @Test
  void pytorchBinGivesIdenticalOutputs() throws Exception {
    Path binOnly = Fixture.copy(tmp, "model.safetensors");
    EncodeOptions o = EncodeOptions.all(48);
    try (M3Model st = M3Model.load(Fixture.folder(), LoadOptions.defaults());
        M3Model bin = M3Model.load(binOnly, LoadOptions.defaults())) {
      List<Embedding> a = st.encode(fixtureTexts(), o);
      List<Embedding> b = bin.encode(fixtureTexts(), o);
      for (int i = 0; i < a.size(); i++) {
        assertArrayEquals(a.get(i).dense(), b.get(i).dense());
        assertEquals(a.get(i).sparse(), b.get(i).sparse());
        assertArrayEquals(a.get(i).colbert(), b.get(i).colbert());
      }
      assertEquals(st.fingerprint(), bin.fingerprint());
      // the .bin's pooler tensors are kept too
      assertEquals(st.parameters().keySet(), bin.parameters().keySet());
    }
  }

  @Test
  void shardedSafetensorsGiveIdenticalOutputs() throws Exception {
    Path dir = Fixture.copy(tmp, "model.safetensors", "pytorch_model.bin");
    io.m3spark.weights.SafetensorsFile whole = io.m3spark.weights.SafetensorsFile.open(
        Fixture.folder().resolve("model.safetensors"));
    java.util.Map<String, io.m3spark.weights.HostTensor> first = new java.util.LinkedHashMap<>();
    java.util.Map<String, io.m3spark.weights.HostTensor> second = new java.util.LinkedHashMap<>();
    com.fasterxml.jackson.databind.node.ObjectNode index = new com.fasterxml.jackson.databind.ObjectMapper()
        .createObjectNode();
    com.fasterxml.jackson.databind.node.ObjectNode map = index.putObject("weight_map");
    for (String n : whole.names()) {
      boolean a = n.startsWith("embeddings") || n.contains("layer.0.");
      (a ? first : second).put("roberta." + n, whole.get(n));
      map.put("roberta." + n, a ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors");
    }
    io.m3spark.weights.SafetensorsWriter.write(dir.resolve("model-00001-of-00002.safetensors"), first,
        java.util.Map.of("format", "pt"));
    io.m3spark.weights.SafetensorsWriter.write(dir.resolve("model-00002-of-00002.safetensors"), second,
        java.util.Map.of("format", "pt"));
    Files.writeString(dir.resolve("model.safetensors.index.json"), index.toString());
    try (M3Model st = M3Model.load(Fixture.folder(), LoadOptions.defaults());
        M3Model sharded = M3Model.load(dir, LoadOptions.defaults())) {
      assertEquals(st.fingerprint(), sharded.fingerprint());
      assertArrayEquals(st.encode(fixtureTexts(), EncodeOptions.defaults()).get(4).dense(),
          sharded.encode(fixtureTexts(), EncodeOptions.defaults()).get(4).dense());
    }
  }

  @Test
  void missingHeadsNameTheFiles() throws Exception {
    Path noHeads = Fixture.copy(tmp, "colbert_linear.pt", "sparse_linear.pt");
    IOException e = assertThrows(IOException.class, () -> M3Model.load(noHeads, LoadOptions.defaults()));
    assertTrue(e.getMessage().contains("colbert_linear.pt"), e.getMessage());
    assertTrue(e.getMessage().contains("sparse_linear.pt"), e.getMessage());
    assertTrue(e.getMessage().contains("initNewHeads"), e.getMessage());
  }

  @Test
  void oneMissingHeadIsNamedAlone() throws Exception {
    Path noSparse = Fixture.copy(tmp, "sparse_linear.pt");
    IOException e = assertThrows(IOException.class, () -> M3Model.load(noSparse, LoadOptions.defaults()));
    assertTrue(e.getMessage().contains("sparse_linear.pt"), e.getMessage());
    assertFalse(e.getMessage().contains("missing head file(s) colbert_linear.pt"), e.getMessage());
  }

  @Test
  void initNewHeadsLoadsAndWarns() throws Exception {
    Path noHeads = Fixture.copy(tmp, "colbert_linear.pt", "sparse_linear.pt");
    LoadOptions o = LoadOptions.builder().initNewHeads(true).build();
    try (M3Model m = M3Model.load(noHeads, o); M3Model again = M3Model.load(noHeads, o);
        M3Model real = M3Model.load(Fixture.folder(), LoadOptions.defaults())) {
      assertEquals(1, m.warnings().size(), m.warnings().toString());
      assertTrue(m.warnings().get(0).contains("initialised as asked"), m.warnings().get(0));
      assertTrue(real.warnings().isEmpty());
      // torch.nn.Linear's default bound 1/sqrt(fan_in), fixed seed: reproducible
      float[] w = m.parameters().get(M3Heads.COLBERT_WEIGHT).toFloatArray();
      double bound = 1 / Math.sqrt(m.config().hiddenSize());
      double max = 0;
      for (float x : w) {
        max = Math.max(max, Math.abs(x));
      }
      assertTrue(max <= bound && max > 0.8 * bound, "max |w| " + max + " vs bound " + bound);
      assertArrayEquals(w, again.parameters().get(M3Heads.COLBERT_WEIGHT).toFloatArray());
      assertEquals(m.fingerprint(), again.fingerprint());
      assertNotEquals(real.fingerprint(), m.fingerprint());
      Embedding e = m.encode(List.of("hello world"), EncodeOptions.all(16)).get(0);
      assertEquals(e.numTokens() - 1, e.colbert().length);
      // the backbone is unchanged: dense equals the real model's
      assertArrayEquals(real.encode(List.of("hello world"), EncodeOptions.defaults()).get(0).dense(), e.dense());
    }
  }

  @Test
  void colbertDimMustMatchHeadFile() {
    LoadOptions o = LoadOptions.builder().colbertDim(8).build();
    IOException e = assertThrows(IOException.class, () -> M3Model.load(Fixture.folder(), o));
    assertTrue(e.getMessage().contains("colbert_linear.pt") && e.getMessage().contains("[8, 32]"), e.getMessage());
  }

  @Test
  void newHeadsWithColbertDim() throws Exception {
    Path noHeads = Fixture.copy(tmp, "colbert_linear.pt", "sparse_linear.pt");
    try (M3Model m = M3Model.load(noHeads, LoadOptions.builder().initNewHeads(true).colbertDim(8).build())) {
      Embedding e = m.encode(List.of("hello"), EncodeOptions.all(16)).get(0);
      assertEquals(8, e.colbert()[0].length);
      assertEquals(32, e.dense().length);
    }
  }

  @Test
  void missingOrMisshapenTensorIsNamed() throws Exception {
    Path dir = Fixture.copy(tmp, "model.safetensors", "pytorch_model.bin");
    IOException none = assertThrows(IOException.class, () -> M3Model.load(dir, LoadOptions.defaults()));
    assertTrue(none.getMessage().contains("model.safetensors"), none.getMessage());

    // config says 3 layers, the weights have 2
    Path dir2 = Files.createDirectory(tmp.resolve("three"));
    Fixture.copy(dir2);
    JsonNode cfg = ModelConfig.read(dir2.resolve("config.json")).json().put("num_hidden_layers", 3);
    Files.writeString(dir2.resolve("config.json"), cfg.toString());
    IOException missing = assertThrows(IOException.class, () -> M3Model.load(dir2, LoadOptions.defaults()));
    assertTrue(missing.getMessage().contains("encoder.layer.2.attention.self.query.weight"), missing.getMessage());
    assertTrue(missing.getMessage().contains("model.safetensors"), missing.getMessage());

    Path dir3 = Files.createDirectory(tmp.resolve("wide"));
    Fixture.copy(dir3);
    cfg = ModelConfig.read(dir3.resolve("config.json")).json().put("intermediate_size", 48);
    Files.writeString(dir3.resolve("config.json"), cfg.toString());
    IOException shape = assertThrows(IOException.class, () -> M3Model.load(dir3, LoadOptions.defaults()));
    assertTrue(shape.getMessage().contains("encoder.layer.0.intermediate.dense.weight")
        && shape.getMessage().contains("[64, 32]") && shape.getMessage().contains("[48, 32]"), shape.getMessage());
  }

  @Test
  void gpuOnCpuOnlyLibtorchIsAClearError() {
    org.junit.jupiter.api.Assumptions.assumeTrue(Engine.getEngine("PyTorch").getGpuCount() == 0,
        "this check is for CPU-only libtorch");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> M3Model.load(Fixture.folder(), LoadOptions.builder().device(Device.gpu()).build()));
    assertTrue(e.getMessage().contains("CPU-only") && e.getMessage().contains("PYTORCH_FLAVOR"), e.getMessage());
  }

  @Test
  void fp16OnCpuWarnsAndUsesFp32() throws Exception {
    try (M3Model m = M3Model.load(Fixture.folder(), LoadOptions.builder().fp16(true).build())) {
      assertEquals(ai.djl.ndarray.types.DataType.FLOAT32, m.dataType());
      assertEquals(1, m.warnings().size());
      assertTrue(m.warnings().get(0).contains("fp16"));
    }
  }
}
