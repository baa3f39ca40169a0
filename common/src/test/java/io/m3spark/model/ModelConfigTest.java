package io.m3spark.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelConfigTest {
  @TempDir
  Path tmp;

  @Test
  void readsFixtureAndKeepsEveryKey() throws Exception {
    ModelConfig c = ModelConfig.read(Fixture.folder().resolve("config.json"));
    assertEquals(ModelConfig.Family.XLM_ROBERTA, c.family());
    assertEquals(32, c.hiddenSize());
    assertEquals(4002, c.vocabSize());
    assertEquals(1e-5f, c.layerNormEps());
    assertEquals(ModelConfig.Activation.GELU_ERF, c.activation());
    assertEquals(128, c.maxInputLength(), "BGE-M3: 8194 positions give 8192 tokens; here 130 give 128");
    ObjectNode json = c.json();
    json.put("my_custom_key", "kept");
    Path out = tmp.resolve("config.json");
    ModelConfig.of(json).write(out);
    ObjectMapper m = new ObjectMapper();
    assertEquals(json, m.readTree(out.toFile()));
    assertEquals(m.readTree(Fixture.folder().resolve("config.json").toFile()).get("initializer_range"),
        m.readTree(out.toFile()).get("initializer_range"));
  }

  @Test
  void rejectsWhatItCannotRun() throws Exception {
    ObjectNode json = ModelConfig.read(Fixture.folder().resolve("config.json")).json();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ModelConfig.of(json.deepCopy().put("hidden_act", "swish")));
    assertTrue(e.getMessage().contains("swish"));
    assertThrows(IllegalArgumentException.class, () -> ModelConfig.of(json.deepCopy().put("model_type", "t5")));
    assertThrows(IllegalArgumentException.class, () -> ModelConfig.of(json.deepCopy().put("num_attention_heads", 5)));
    assertEquals(ModelConfig.Activation.GELU_TANH, ModelConfig.of(json.deepCopy().put("hidden_act", "gelu_new")).activation());
    Files.writeString(tmp.resolve("bad.json"), "[1]");
    assertThrows(java.io.IOException.class, () -> ModelConfig.read(tmp.resolve("bad.json")));
  }
}
