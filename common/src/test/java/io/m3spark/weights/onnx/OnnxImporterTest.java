package io.m3spark.weights.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.m3spark.weights.HostTensor;
import io.m3spark.weights.SafetensorsFile;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Importing the real bge-small-en-v1.5 ONNX export: every tensor mapped, config and tokenizer files inferred. */
class OnnxImporterTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void everyInitializerIsMappedOnceOrIsAGraphConstant() throws Exception {
    ImportResult r = BgeSmallOnnx.imported();
    OnnxGraph original = OnnxModelReader.read(BgeSmallOnnx.onnx());
    Set<String> accounted = new HashSet<>(r.onnxToHf().keySet());
    accounted.addAll(r.skippedConstants());
    assertEquals(original.initializers().keySet(), accounted);
    assertEquals(197, r.onnxToHf().size());
    assertEquals(r.onnxToHf().size(), new HashSet<>(r.onnxToHf().values()).size(), "two tensors got one name");
    SafetensorsFile st = SafetensorsFile.open(r.folder().resolve("model.safetensors"));
    assertEquals(new HashSet<>(r.onnxToHf().values()), new HashSet<>(st.names()));
    assertEquals("pt", st.metadata().get("format"));
  }

  @Test
  void anonymousMatMulWeightsAreNamedAfterTheirNodeAndTransposed() throws Exception {
    ImportResult r = BgeSmallOnnx.imported();
    String onnxName = r.onnxToHf().entrySet().stream()
        .filter(e -> e.getValue().equals("encoder.layer.0.intermediate.dense.weight"))
        .map(java.util.Map.Entry::getKey).findFirst().orElseThrow();
    assertTrue(onnxName.startsWith("onnx::MatMul_"), onnxName);
    HostTensor in = OnnxModelReader.read(BgeSmallOnnx.onnx()).initializers().get(onnxName);
    assertArrayEquals(new long[] {384, 1536}, in.shape());
    HostTensor out = SafetensorsFile.open(r.folder().resolve("model.safetensors"))
        .get("encoder.layer.0.intermediate.dense.weight");
    assertArrayEquals(new long[] {1536, 384}, out.shape());
    float[] a = in.toFloats();
    float[] b = out.toFloats();
    for (int i = 0; i < 384; i += 37) {
      for (int o = 0; o < 1536; o += 101) {
        assertEquals(a[i * 1536 + o], b[o * 384 + i], 0f);
      }
    }
  }

  @Test
  void configIsInferredFromTheGraph() throws Exception {
    ImportResult r = BgeSmallOnnx.imported();
    EncoderConfig c = r.config();
    assertEquals(new EncoderConfig("bert", 30522, 384, 12, 12, 1536, 512, 2, 1e-12, "gelu", 0), c);
    JsonNode json = JSON.readTree(r.folder().resolve("config.json").toFile());
    assertEquals("bert", json.get("model_type").asText());
    assertEquals("BertModel", json.get("architectures").get(0).asText());
    assertEquals(1e-12, json.get("layer_norm_eps").asDouble());
    assertEquals(0.1, json.get("hidden_dropout_prob").asDouble());
  }

  @Test
  void tokenizerFilesNameTheSpecialTokens() throws Exception {
    Path folder = BgeSmallOnnx.imported().folder();
    assertArrayEquals(Files.readAllBytes(BgeSmallOnnx.tokenizerJson()), Files.readAllBytes(folder.resolve("tokenizer.json")));
    JsonNode cfg = JSON.readTree(folder.resolve("tokenizer_config.json").toFile());
    assertEquals("[PAD]", cfg.get("pad_token").asText());
    assertEquals("[CLS]", cfg.get("cls_token").asText());
    assertEquals("[SEP]", cfg.get("sep_token").asText());
    assertEquals("[UNK]", cfg.get("unk_token").asText());
    assertEquals("[MASK]", cfg.get("mask_token").asText());
    assertTrue(cfg.get("do_lower_case").asBoolean());
    assertEquals(512, cfg.get("model_max_length").asInt());
    JsonNode map = JSON.readTree(folder.resolve("special_tokens_map.json").toFile());
    assertEquals("[PAD]", map.get("pad_token").asText());
  }

  @Test
  void refusesAFolderThatIsNotEmptyAndLeavesNoStagingBehind(@TempDir Path tmp) throws Exception {
    Path out = tmp.resolve("model");
    Files.createDirectories(out);
    Files.writeString(out.resolve("keep.txt"), "mine");
    assertThrows(FileAlreadyExistsException.class,
        () -> OnnxImporter.importModel(BgeSmallOnnx.onnx(), BgeSmallOnnx.tokenizerJson(), out));
    assertEquals("mine", Files.readString(out.resolve("keep.txt")));
    try (var s = Files.list(tmp)) {
      assertEquals(1, s.count());
    }
  }
}
