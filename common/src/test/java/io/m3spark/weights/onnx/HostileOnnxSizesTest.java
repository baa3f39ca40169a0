package io.m3spark.weights.onnx;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m3spark.weights.WeightsFormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ONNX files whose names or shapes claim sizes the file does not hold: refused by name, quickly. */
class HostileOnnxSizesTest {
  @TempDir Path tmp;

  private String importFails(OnnxProtoBuilder graph) throws Exception {
    Path tokenizer = Files.writeString(tmp.resolve("tokenizer.json"),
        "{\"added_tokens\":[{\"id\":0,\"content\":\"[PAD]\"}]}");
    Path onnx = graph.write(tmp.resolve("model.onnx"));
    WeightsFormatException e = assertTimeoutPreemptively(Duration.ofSeconds(10), () ->
        assertThrows(WeightsFormatException.class, () -> OnnxImporter.importModel(onnx, tokenizer, tmp.resolve("o"))));
    assertTrue(e.getMessage().startsWith(onnx + ": "), e.getMessage());
    return e.getMessage();
  }

  @Test
  void layerNumbersBeyondTheTensorsPresentAreRefused() throws Exception {
    // 2000000000 would list 32 billion missing tensors, 2147483647 + 1 overflows, 99999999999 is not an int
    for (String layer : new String[] {"2000000000", "2147483647", "99999999999", "1" + "0".repeat(40)}) {
      String name = "encoder.layer." + layer + ".output.dense.bias";
      String m = importFails(new OnnxProtoBuilder().bertLayerZero(4).floats(name, 4));
      String shown = layer.length() > 10 ? "of " + layer.length() + " digits" : layer;
      assertTrue(m.contains("names encoder layer " + shown), m);
      assertTrue(m.contains(layer.length() > 10 ? "encoder.layer." : name), m);
    }
  }

  @Test
  void shapesWhoseByteCountWrapsAroundAreRefused() throws Exception {
    // 2^62 floats × 4 bytes wraps to 0, which is what the empty raw_data holds
    String m = importFails(new OnnxProtoBuilder().typed("big", 1, new byte[0], 1L << 62));
    assertTrue(m.contains("tensor big has shape [4611686018427387904]") && m.contains("too large"), m);
    String negative = importFails(new OnnxProtoBuilder().typed("neg", 1, new byte[0], -1));
    assertTrue(negative.contains("tensor neg has shape [-1]"), negative);
  }
}
