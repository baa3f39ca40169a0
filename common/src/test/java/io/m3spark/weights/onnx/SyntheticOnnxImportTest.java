package io.m3spark.weights.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hand-written minimal encoder graph: the constants that configure it come as a float_data initializer and a
 * Constant node (the two forms exporters use), and the position-id computation decides the model type.
 */
class SyntheticOnnxImportTest {
  @TempDir Path tmp;

  private OnnxProtoBuilder encoderGraph(int hidden, int headDim) {
    return new OnnxProtoBuilder().bertLayerZero(hidden)
        .scalarFloatData("onnx::Div_50", (float) Math.sqrt(headDim))
        .node("/encoder/layer.0/attention/self/Div", "Div", "scores", "onnx::Div_50")
        .constantFloat("/embeddings/LayerNorm/Constant_1", 1e-5f)
        .node("/embeddings/LayerNorm/Add", "Add", "variance", "/embeddings/LayerNorm/Constant_1_output_0")
        .node("/encoder/layer.0/intermediate/intermediate_act_fn/Erf", "Erf", "h");
  }

  @Test
  void bertWhenPositionsAreAFixedRange() throws Exception {
    Path tok = Files.writeString(tmp.resolve("tokenizer.json"),
        "{\"added_tokens\":[{\"id\":0,\"content\":\"[PAD]\"}],\"normalizer\":{\"type\":\"Lowercase\"}}");
    ImportResult r = OnnxImporter.importModel(encoderGraph(8, 2).write(tmp.resolve("m.onnx")), tok, tmp.resolve("o"));
    assertEquals(new EncoderConfig("bert", 10, 8, 1, 4, 8, 8, 2, 1e-5, "gelu", 0), r.config());
    assertEquals(List.of("onnx::Div_50"), r.skippedConstants());
    assertEquals(true, new ObjectMapper().readTree(r.folder().resolve("tokenizer_config.json").toFile())
        .get("do_lower_case").asBoolean());
  }

  @Test
  void xlmRobertaWhenPositionsComeFromACumulativeSumOverTheMask() throws Exception {
    Path tok = Files.writeString(tmp.resolve("tokenizer.json"),
        "{\"added_tokens\":[{\"id\":0,\"content\":\"<s>\"},{\"id\":1,\"content\":\"<pad>\"},"
            + "{\"id\":2,\"content\":\"</s>\"}]}");
    OnnxProtoBuilder g = encoderGraph(8, 4).node("/embeddings/CumSum", "CumSum", "mask", "axis");
    ImportResult r = OnnxImporter.importModel(g.write(tmp.resolve("m.onnx")), tok, tmp.resolve("o"));
    assertEquals("xlm-roberta", r.config().modelType());
    assertEquals(2, r.config().numAttentionHeads());
    assertEquals(1, r.config().padTokenId());
    var cfg = new ObjectMapper().readTree(r.folder().resolve("tokenizer_config.json").toFile());
    assertEquals("<pad>", cfg.get("pad_token").asText());
    assertEquals("<s>", cfg.get("cls_token").asText());
    assertEquals("XLMRobertaTokenizer", cfg.get("tokenizer_class").asText());
    assertEquals(8 - 1 - 1, cfg.get("model_max_length").asInt(), "positions offset by pad id + 1");
    assertEquals("XLMRobertaModel", new ObjectMapper().readTree(r.folder().resolve("config.json").toFile())
        .get("architectures").get(0).asText());
  }

  @Test
  void aTokenizerTheNativeLibraryCouldAbortOnIsRefusedBeforeAnythingIsWritten() throws Exception {
    Path tok = Files.writeString(tmp.resolve("tokenizer.json"),
        "{\"added_tokens\":[{\"id\":0,\"content\":\"[PAD]\"}],\"pre_tokenizer\":{\"type\":\"Split\","
            + "\"pattern\":{\"Regex\":\"(a+)+$\"},\"behavior\":\"Isolated\",\"invert\":false}}");
    Path onnx = encoderGraph(8, 2).write(tmp.resolve("m.onnx"));
    IOException e = assertThrows(IOException.class, () -> OnnxImporter.importModel(onnx, tok, tmp.resolve("o")));
    assertTrue(e.getMessage().startsWith(tok + ": $.pre_tokenizer.pattern.Regex: regular expression '(a+)+$'"),
        e.getMessage());
    assertFalse(Files.exists(tmp.resolve("o")));
  }
}
