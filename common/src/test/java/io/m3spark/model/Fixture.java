package io.m3spark.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The tiny-m3 test fixture (test resources) and helpers to compare against expected.json. */
final class Fixture {
  static final double TOL = 1e-4;

  private static JsonNode expected;

  private Fixture() {}

  static Path folder() {
    try {
      return Paths.get(Fixture.class.getResource("/tiny-m3/config.json").toURI()).getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static synchronized JsonNode expected() {
    if (expected == null) {
      try {
        expected = new ObjectMapper().readTree(folder().resolve("expected.json").toFile());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return expected;
  }

  static int maxLength(JsonNode text) {
    JsonNode s = expected().get("settings");
    String kind = text.get("kind").asText();
    return switch (kind) {
      case "q" -> s.get("query_max_len").asInt();
      case "p" -> s.get("passage_max_len").asInt();
      default -> throw new IllegalStateException("unknown kind " + kind);
    };
  }

  /** Copies the fixture folder, leaving out the named files. */
  static Path copy(Path dir, String... without) throws IOException {
    List<String> skip = List.of(without);
    try (Stream<Path> files = Files.list(folder())) {
      for (Path p : (Iterable<Path>) files::iterator) {
        String n = p.getFileName().toString();
        if (!skip.contains(n) && !n.equals("expected.json") && !n.equals("train.jsonl")) {
          Files.copy(p, dir.resolve(n));
        }
      }
    }
    return dir;
  }

  static int[] ints(JsonNode a) {
    int[] out = new int[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.get(i).asInt();
    }
    return out;
  }

  static List<String> strings(JsonNode a) {
    List<String> out = new ArrayList<>();
    a.forEach(n -> out.add(n.asText()));
    return out;
  }

  static void assertClose(JsonNode want, float[] got, String what) {
    assertNotNull(got, what);
    assertEquals(want.size(), got.length, what + ": length");
    for (int i = 0; i < got.length; i++) {
      assertEquals(want.get(i).asDouble(), got[i], TOL, what + "[" + i + "]");
    }
  }

  static void assertClose(JsonNode want, float[][] got, String what) {
    assertNotNull(got, what);
    assertEquals(want.size(), got.length, what + ": rows");
    for (int i = 0; i < got.length; i++) {
      assertClose(want.get(i), got[i], what + "[" + i + "]");
    }
  }
}
