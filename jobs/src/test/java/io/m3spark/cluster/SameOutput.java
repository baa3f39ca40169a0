package io.m3spark.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.m3spark.io.NpyReader;
import io.m3spark.weights.HostTensor;
import io.m3spark.weights.SafetensorsFile;
import io.m3spark.weights.TorchPickleReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Assertions that a cluster run wrote what the {@code local[*]} run wrote: the same bytes where a job is
 * deterministic, the same numbers to a tolerance where floating-point sums may be ordered differently, the same
 * everything else.
 */
final class SameOutput {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SameOutput() {}

  static void sameBytes(Path expected, Path actual) throws IOException {
    assertTrue(Files.isRegularFile(actual), actual + " is missing");
    long at = Files.mismatch(expected, actual);
    if (at >= 0) {
      fail(actual + " differs from " + expected + " from byte " + at);
    }
  }

  /** JSON lines of a file, or of a folder's part files in name order, compared value by value. */
  static void sameJsonLines(Path expected, Path actual, double tolerance, Set<String> ignored) throws IOException {
    List<String> e = lines(expected);
    List<String> a = lines(actual);
    assertEquals(e.size(), a.size(), "line count of " + actual);
    for (int i = 0; i < e.size(); i++) {
      sameTree(JSON.readTree(e.get(i)), JSON.readTree(a.get(i)), tolerance, ignored, actual + ":" + (i + 1));
    }
  }

  static void sameJson(Path expected, Path actual, double tolerance, Set<String> ignored) throws IOException {
    sameTree(JSON.readTree(expected.toFile()), JSON.readTree(actual.toFile()), tolerance, ignored, actual.toString());
  }

  static void sameNpy(Path expected, Path actual, double tolerance) throws IOException {
    float[][] e;
    float[][] a;
    try (InputStream in = Files.newInputStream(expected)) {
      e = NpyReader.read(in);
    }
    try (InputStream in = Files.newInputStream(actual)) {
      a = NpyReader.read(in);
    }
    assertEquals(e.length, a.length, "rows of " + actual);
    for (int i = 0; i < e.length; i++) {
      assertArrayEquals(e[i], a[i], (float) tolerance, actual + " row " + i);
    }
  }

  /**
   * A Hugging Face model folder: every tensor of {@code model.safetensors} and of the {@code .pt} head files within
   * {@code tolerance}, every other file but {@code skipped} byte for byte (sub-folders are compared on their own).
   */
  static void sameModel(Path expected, Path actual, double tolerance, Set<String> skipped) throws IOException {
    sameModel(expected, actual, tolerance, skipped, Set.of());
  }

  /** As above, with JSON files compared as JSON, leaving out the fields named {@code ignored} (paths, say). */
  static void sameModel(Path expected, Path actual, double tolerance, Set<String> skipped, Set<String> ignored)
      throws IOException {
    List<String> names = fileNames(expected);
    assertEquals(names, fileNames(actual), "files of " + actual);
    for (String name : names) {
      if (skipped.contains(name)) {
        continue;
      }
      Path e = expected.resolve(name);
      Path a = actual.resolve(name);
      if (name.endsWith(".safetensors")) {
        SafetensorsFile ef = SafetensorsFile.open(e);
        SafetensorsFile af = SafetensorsFile.open(a);
        assertEquals(ef.names(), af.names(), "tensors of " + a);
        for (String t : ef.names()) {
          sameTensor(ef.get(t), af.get(t), tolerance, a + " " + t);
        }
      } else if (name.endsWith(".pt") || name.endsWith(".bin")) {
        Map<String, HostTensor> et = TorchPickleReader.read(e);
        Map<String, HostTensor> at = TorchPickleReader.read(a);
        assertEquals(et.keySet(), at.keySet(), "tensors of " + a);
        for (String t : et.keySet()) {
          sameTensor(et.get(t), at.get(t), tolerance, a + " " + t);
        }
      } else if (name.endsWith(".json") && !ignored.isEmpty()) {
        sameJson(e, a, 0, ignored);
      } else if (!Files.isDirectory(e)) {
        sameBytes(e, a);
      }
    }
  }

  private static void sameTensor(HostTensor e, HostTensor a, double tolerance, String what) {
    assertArrayEquals(e.shape(), a.shape(), "shape of " + what);
    assertArrayEquals(e.toFloats(), a.toFloats(), (float) tolerance, what);
  }

  private static void sameTree(JsonNode e, JsonNode a, double tolerance, Set<String> ignored, String where) {
    if (e.isNumber() && a.isNumber()) {
      double d = Math.abs(e.doubleValue() - a.doubleValue());
      if (d > tolerance * Math.max(1, Math.abs(e.doubleValue()))) {
        fail(where + ": " + a + " where the local run has " + e);
      }
      return;
    }
    assertEquals(e.getNodeType(), a.getNodeType(), where + ": " + a + " where the local run has " + e);
    if (e.isObject()) {
      List<String> ef = new ArrayList<>();
      e.fieldNames().forEachRemaining(ef::add);
      List<String> af = new ArrayList<>();
      a.fieldNames().forEachRemaining(af::add);
      assertEquals(ef, af, where + ": fields");
      for (String f : ef) {
        if (!ignored.contains(f)) {
          sameTree(e.get(f), a.get(f), tolerance, ignored, where + "." + f);
        }
      }
    } else if (e.isArray()) {
      assertEquals(e.size(), a.size(), where + ": length");
      Iterator<JsonNode> ei = e.elements();
      Iterator<JsonNode> ai = a.elements();
      for (int i = 0; ei.hasNext(); i++) {
        sameTree(ei.next(), ai.next(), tolerance, ignored, where + "[" + i + "]");
      }
    } else {
      assertEquals(e, a, where);
    }
  }

  private static List<String> lines(Path fileOrFolder) throws IOException {
    if (!Files.isDirectory(fileOrFolder)) {
      return Files.readAllLines(fileOrFolder, StandardCharsets.UTF_8);
    }
    List<String> out = new ArrayList<>();
    for (String name : fileNames(fileOrFolder)) {
      if (name.startsWith("part-")) {
        out.addAll(Files.readAllLines(fileOrFolder.resolve(name), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  private static List<String> fileNames(Path folder) throws IOException {
    try (Stream<Path> s = Files.list(folder)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".") && !n.endsWith(".crc")).sorted()
          .toList();
    }
  }
}
