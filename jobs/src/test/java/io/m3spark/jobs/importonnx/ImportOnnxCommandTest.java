package io.m3spark.jobs.importonnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m3spark.cli.Cli;
import io.m3spark.cli.Commands;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code m3spark import-onnx} end to end on the bge-small-en-v1.5 ONNX file from the test classpath. */
class ImportOnnxCommandTest {

  @Test
  void importsTheOnnxFileIntoAModelFolder(@TempDir Path tmp) throws Exception {
    Path onnx = extract("/bge-small-en-v1.5.onnx", tmp.resolve("model.onnx"));
    Path tok = extract("/bge-small-en-v1.5-tokenizer.json", tmp.resolve("tokenizer.json"));
    Path out = tmp.resolve("bge-small");
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    int code = new Cli(Commands.all()).run(
        new String[] {"import-onnx", "--onnx", onnx.toString(), "--tokenizer", tok.toString(), "--output", out.toString()},
        new PrintStream(stdout, true, StandardCharsets.UTF_8), new PrintStream(stderr, true, StandardCharsets.UTF_8));
    assertEquals(0, code, stderr.toString(StandardCharsets.UTF_8));
    assertTrue(stdout.toString(StandardCharsets.UTF_8).contains("12 layers, hidden 384"));
    assertTrue(Files.isRegularFile(out.resolve("config.json")));
    assertTrue(Files.isRegularFile(out.resolve("model.safetensors")));
  }

  @Test
  void aMissingOnnxFileIsAUsageError(@TempDir Path tmp) {
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    int code = new Cli(Commands.all()).run(
        new String[] {"import-onnx", "--onnx", tmp.resolve("nope.onnx").toString(), "--tokenizer", "t.json",
            "--output", tmp.resolve("o").toString()},
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new PrintStream(stderr, true, StandardCharsets.UTF_8));
    assertTrue(code != 0);
    assertTrue(stderr.toString(StandardCharsets.UTF_8).contains("--onnx"), stderr.toString(StandardCharsets.UTF_8));
  }

  private static Path extract(String resource, Path to) throws Exception {
    try (InputStream in = ImportOnnxCommandTest.class.getResourceAsStream(resource)) {
      Files.copy(in, to);
    }
    return to;
  }
}
