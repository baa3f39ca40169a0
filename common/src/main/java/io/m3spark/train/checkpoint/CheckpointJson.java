package io.m3spark.train.checkpoint;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.m3spark.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;

/** The JSON files of a checkpoint: pretty-printed for people, strict when read back so a typo is not silently lost. */
final class CheckpointJson {
  static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  private CheckpointJson() {}

  static void write(Path file, Object value) throws IOException {
    AtomicFiles.writeString(file, MAPPER.writeValueAsString(value) + "\n");
  }

  static <T> T read(Path file, Class<T> type) throws IOException {
    return MAPPER.readValue(file.toFile(), type);
  }
}
