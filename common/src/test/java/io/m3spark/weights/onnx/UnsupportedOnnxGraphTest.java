package io.m3spark.weights.onnx;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m3spark.weights.WeightsFormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Graphs the importer cannot turn into a BERT folder fail with a message that names what is wrong, and write nothing. */
class UnsupportedOnnxGraphTest {
  @TempDir Path tmp;
  private Path tokenizer;

  @BeforeEach
  void tinyTokenizer() throws Exception {
    tokenizer = Files.writeString(tmp.resolve("tokenizer.json"),
        "{\"added_tokens\":[{\"id\":0,\"content\":\"[PAD]\"},{\"id\":1,\"content\":\"[CLS]\"}],"
            + "\"normalizer\":{\"type\":\"BertNormalizer\",\"lowercase\":true}}");
  }

  private String importFails(OnnxProtoBuilder graph) {
    Path onnx = graph.write(tmp.resolve("model.onnx"));
    Path out = tmp.resolve("out");
    WeightsFormatException e = assertThrows(WeightsFormatException.class,
        () -> OnnxImporter.importModel(onnx, tokenizer, out));
    assertFalse(Files.exists(out), "nothing may be written for a refused graph");
    return e.getMessage();
  }

  private static void assertMentions(String message, String... parts) {
    for (String p : parts) {
      assertTrue(message.contains(p), "message should mention '" + p + "': " + message);
    }
  }

  @Test
  void withoutWordEmbeddings() {
    String m = importFails(new OnnxProtoBuilder().floats("classifier.weight", 4, 4));
    assertMentions(m, "model.onnx", "embeddings.word_embeddings.weight");
  }

  @Test
  void withMissingLayerTensors() {
    OnnxProtoBuilder g = new OnnxProtoBuilder().floats("embeddings.word_embeddings.weight", 10, 4)
        .floats("encoder.layer.0.output.dense.bias", 4);
    assertMentions(importFails(g), "missing", "encoder.layer.0.attention.self.query.weight",
        "embeddings.position_embeddings.weight");
  }

  @Test
  void withAGapBetweenLayers() {
    OnnxProtoBuilder g = new OnnxProtoBuilder().bertLayerZero(4).floats("encoder.layer.2.output.dense.bias", 4);
    assertMentions(importFails(g), "3 layers", "encoder.layer.1.attention.self.query.weight");
  }

  @Test
  void withAWeightSharedByTwoMatMuls() {
    OnnxProtoBuilder g = new OnnxProtoBuilder().bertLayerZero(4).floats("onnx::MatMul_7", 4, 4)
        .node("/encoder/layer.0/a/MatMul", "MatMul", "x", "onnx::MatMul_7")
        .node("/encoder/layer.0/b/MatMul", "MatMul", "y", "onnx::MatMul_7");
    assertMentions(importFails(g), "onnx::MatMul_7", "used by 2 nodes");
  }

  @Test
  void withAnAnonymousWeightOutsideAMatMul() {
    OnnxProtoBuilder g = new OnnxProtoBuilder().bertLayerZero(4).floats("onnx::Gemm_9", 4, 4)
        .node("/pooler/dense/Gemm", "Gemm", "x", "onnx::Gemm_9");
    assertMentions(importFails(g), "onnx::Gemm_9", "/pooler/dense/Gemm");
  }

  @Test
  void withAnUnreadableDataType() {
    OnnxProtoBuilder g = new OnnxProtoBuilder().bertLayerZero(4).typed("vocab.strings", 8, new byte[0], 0);
    assertMentions(importFails(g), "vocab.strings", "data type 8 (STRING)");
  }

  @Test
  void withExternalData() {
    OnnxProtoBuilder g = new OnnxProtoBuilder().external("embeddings.word_embeddings.weight", 10, 4);
    assertMentions(importFails(g), "embeddings.word_embeddings.weight", "external file");
  }

  @Test
  void withoutTheAttentionScale() {
    assertMentions(importFails(new OnnxProtoBuilder().bertLayerZero(4)), "/encoder/layer.0/attention/self/Div");
  }

  @Test
  void thatIsNotAnOnnxModel() throws Exception {
    Path junk = Files.writeString(tmp.resolve("model.onnx"), "definitely not protobuf");
    assertThrows(WeightsFormatException.class, () -> OnnxImporter.importModel(junk, tokenizer, tmp.resolve("out")));
  }
}
