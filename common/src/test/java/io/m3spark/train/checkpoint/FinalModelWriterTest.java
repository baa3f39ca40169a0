package io.m3spark.train.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m3spark.io.OutputFolder;
import io.m3spark.model.M3Model;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The final output keeps the base model's heads when only the dense embedding was trained. */
class FinalModelWriterTest {
  @TempDir
  Path tmp;

  @Test
  void denseOnlyOutputCarriesTheBaseHeads() throws Exception {
    Path base = TinyM3.folder();
    Path out = tmp.resolve("final");
    try (M3Model model = TinyM3.load(base)) {
      // heads that differ from the base: copying must win over what the model holds
      model.parameters().get("colbert_linear.weight").addi(1f);
      model.parameters().get("sparse_linear.bias").addi(1f);
      FinalModelWriter.write(model, OutputFolder.local(out), false, base);
    }
    for (String head : FinalModelWriter.HEAD_FILES) {
      assertArrayEquals(Files.readAllBytes(base.resolve(head)), Files.readAllBytes(out.resolve(head)), head);
    }
    assertTrue(Files.isRegularFile(out.resolve("model.safetensors")));
  }

  @Test
  void unifiedOutputKeepsTheTrainedHeads() throws Exception {
    Path base = TinyM3.folder();
    Path out = tmp.resolve("final");
    float[] trained;
    try (M3Model model = TinyM3.load(base)) {
      trained = model.parameters().get("colbert_linear.weight").addi(1f).toFloatArray();
      FinalModelWriter.write(model, OutputFolder.local(out), true, base);
    }
    try (M3Model back = TinyM3.load(out)) {
      assertArrayEquals(trained, back.parameters().get("colbert_linear.weight").toFloatArray());
    }
    assertFalse(Arrays.equals(Files.readAllBytes(base.resolve("colbert_linear.pt")),
        Files.readAllBytes(out.resolve("colbert_linear.pt"))));
  }
}
