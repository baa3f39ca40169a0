package io.m3spark.train.loop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.m3spark.io.OutputFolder;
import java.io.IOException;
import java.util.Optional;

/**
 * {@code output_dir/progress.json}: rank 0's latest progress line, replaced atomically at every logged step, so that
 * the driver (whose log otherwise shows nothing while the workers train on executors), an Airflow sensor or a notebook
 * can follow a run: {@code {"step", "total_steps", "loss", "lr", "samples_per_second", "eta_seconds", "line"}}.
 */
public final class ProgressFile {
  public static final String NAME = "progress.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One reading of the file. */
  public record Progress(long step, long totalSteps, String line) {}

  private ProgressFile() {}

  static void write(OutputFolder outputDir, long step, long totalSteps, double loss, double lr, double samplesPerSecond,
      double etaSeconds, String line) throws IOException {
    ObjectNode o = JSON.createObjectNode();
    o.put("step", step);
    o.put("total_steps", totalSteps);
    o.put("loss", loss);
    o.put("lr", lr);
    o.put("samples_per_second", samplesPerSecond);
    o.put("eta_seconds", etaSeconds);
    o.put("line", line);
    outputDir.writeString(NAME, JSON.writeValueAsString(o));
  }

  /** The latest progress in {@code outputDir}, if the file exists and parses. */
  public static Optional<Progress> read(OutputFolder outputDir) {
    try {
      if (!outputDir.exists(NAME)) {
        return Optional.empty();
      }
      JsonNode o = JSON.readTree(outputDir.read(NAME));
      return Optional.of(new Progress(o.path("step").asLong(), o.path("total_steps").asLong(),
          o.path("line").asText()));
    } catch (IOException e) {
      // replaced atomically, so this is a file of another writer or one being replaced; the next poll retries
      return Optional.empty();
    }
  }
}
