package io.m3spark.model;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.m3spark.weights.HostTensor;
import io.m3spark.weights.SafetensorsWeights;
import io.m3spark.weights.SafetensorsWriter;
import io.m3spark.weights.WeightsFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** config.json and tensor names that claim more layers than the weights hold: a clear error, within seconds. */
class HostileConfigTest {
  private static final Duration QUICKLY = Duration.ofSeconds(10);

  @TempDir Path tmp;

  @Test
  void moreLayersInConfigThanInTheWeightsIsRefusedBeforeListingThem() throws IOException {
    Path dir = Fixture.copy(tmp);
    ObjectNode cfg = ModelConfig.read(dir.resolve("config.json")).json().put("num_hidden_layers", 2_000_000_000);
    Files.writeString(dir.resolve("config.json"), cfg.toString());
    IOException e = assertTimeoutPreemptively(QUICKLY,
        () -> assertThrows(IOException.class, () -> M3Model.load(dir, LoadOptions.defaults())));
    assertTrue(e.getMessage().contains(dir.resolve("config.json") + " says num_hidden_layers 2000000000")
        && e.getMessage().contains("hold 2 encoder layer(s)"), e.getMessage());
  }

  @Test
  void aLayerNumberBeyondTheTensorsPresentIsRefused() throws IOException {
    Path dir = Fixture.copy(tmp);
    Map<String, HostTensor> weights = new LinkedHashMap<>(SafetensorsWeights.read(dir.resolve("model.safetensors")));
    weights.put("encoder.layer.2147483647.output.dense.bias", HostTensor.ofFloats(new float[32], 32));
    SafetensorsWriter.write(dir.resolve("model.safetensors"), weights, Map.of("format", "pt"));
    WeightsFormatException e = assertTimeoutPreemptively(QUICKLY,
        () -> assertThrows(WeightsFormatException.class, () -> M3Model.load(dir, LoadOptions.defaults())));
    assertTrue(e.getMessage().startsWith(dir.resolve("model.safetensors") + ": tensor "
        + "'encoder.layer.2147483647.output.dense.bias' names encoder layer 2147483647"), e.getMessage());
  }

  @Test
  void padTokenOutsideTheVocabularyIsRefused() throws IOException {
    ObjectNode cfg = ModelConfig.read(Fixture.folder().resolve("config.json")).json().put("pad_token_id", 1_999_999_999);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelConfig.of(cfg));
    assertTrue(e.getMessage().contains("pad_token_id") && e.getMessage().contains("1999999999"), e.getMessage());
  }
}
