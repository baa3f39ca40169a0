package io.m3spark.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.m3spark.weights.HostTensor;
import io.m3spark.weights.SafetensorsFile;
import io.m3spark.weights.TorchPickleReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** load → save → load: bitwise-identical tensors and outputs, Hub layout, atomic replacement. */
class SaveTest {
  @TempDir
  Path tmp;

  private static List<String> texts() {
    List<String> out = new ArrayList<>();
    Fixture.expected().get("texts").forEach(t -> out.add(t.get("text").asText()));
    return out;
  }

  @Test
  void roundTripIsBitwiseIdentical() throws Exception {
    // a config key transformers would not know must survive
    Path src = Fixture.copy(Files.createDirectory(tmp.resolve("src")));
    ObjectNode cfg = ModelConfig.read(src.resolve("config.json")).json();
    cfg.put("my_unknown_key", 42);
    Files.writeString(src.resolve("config.json"), cfg.toString());

    Path out = tmp.resolve("out");
    EncodeOptions o = EncodeOptions.all(48);
    try (M3Model a = M3Model.load(src, LoadOptions.defaults())) {
      a.save(out);
      try (M3Model b = M3Model.load(out, LoadOptions.defaults())) {
        assertEquals(a.parameters().keySet(), b.parameters().keySet());
        for (String name : a.parameters().keySet()) {
          assertArrayEquals(a.parameters().get(name).toFloatArray(), b.parameters().get(name).toFloatArray(), name);
        }
        List<Embedding> ea = a.encode(texts(), o);
        List<Embedding> eb = b.encode(texts(), o);
        for (int i = 0; i < ea.size(); i++) {
          assertArrayEquals(ea.get(i).dense(), eb.get(i).dense());
          assertEquals(ea.get(i).sparse(), eb.get(i).sparse());
          assertArrayEquals(ea.get(i).colbert(), eb.get(i).colbert());
        }
        assertEquals(a.fingerprint(), b.fingerprint());
      }
    }

    ObjectMapper json = new ObjectMapper();
    JsonNode saved = json.readTree(out.resolve("config.json").toFile());
    assertEquals(cfg, saved, "config.json written back unchanged");

    // model.safetensors: {"format":"pt"}, un-prefixed names, the same tensors (pooler included) bit for bit
    SafetensorsFile st = SafetensorsFile.open(out.resolve("model.safetensors"));
    SafetensorsFile orig = SafetensorsFile.open(Fixture.folder().resolve("model.safetensors"));
    assertEquals(Map.of("format", "pt"), st.metadata());
    assertEquals(new TreeSet<>(orig.names()), new TreeSet<>(st.names()));
    for (String n : orig.names()) {
      assertEquals(orig.get(n).bytes(), st.get(n).bytes(), n);
    }

    // heads: readable, same structure as torch.save's
    for (String head : new String[] {"colbert_linear", "sparse_linear"}) {
      Path f = out.resolve(head + ".pt");
      Map<String, HostTensor> got = TorchPickleReader.read(f);
      Map<String, HostTensor> want = TorchPickleReader.read(Fixture.folder().resolve(head + ".pt"));
      assertEquals(want.keySet(), got.keySet());
      for (String k : want.keySet()) {
        assertEquals(want.get(k).dtype(), got.get(k).dtype());
        assertArrayEquals(want.get(k).shape(), got.get(k).shape());
        assertEquals(want.get(k).bytes(), got.get(k).bytes(), head + "." + k);
      }
      assertEquals(entries(Fixture.folder().resolve(head + ".pt")), entries(f), head + " zip layout");
    }
    for (String f : new String[] {"tokenizer.json", "tokenizer_config.json", "sentencepiece.bpe.model"}) {
      assertArrayEquals(Files.readAllBytes(Fixture.folder().resolve(f)), Files.readAllBytes(out.resolve(f)), f);
    }
    assertFalse(Files.exists(out.resolve("pytorch_model.bin")));
    assertEquals(List.of("out", "src"), listNames(tmp), "no temporary folders left");
  }

  /** Zip entries without the top-level folder, with their compression method. */
  private static Set<String> entries(Path zip) throws IOException {
    try (ZipFile z = new ZipFile(zip.toFile())) {
      return z.stream().map(e -> e.getName().substring(e.getName().indexOf('/') + 1) + ":" + e.getMethod())
          .filter(s -> !s.startsWith(".data/") && !s.startsWith("byteorder") && !s.startsWith("data/serialization_id"))
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }

  private static List<String> listNames(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void saveReplacesAModelFolderButNotAForeignOne() throws Exception {
    Path out = tmp.resolve("out");
    try (M3Model a = M3Model.load(Fixture.folder(), LoadOptions.defaults())) {
      a.save(out);
      a.save(out); // over a saved model: replaced
      try (M3Model b = M3Model.load(out, LoadOptions.defaults())) {
        assertEquals(a.fingerprint(), b.fingerprint());
      }
      Path foreign = Files.createDirectory(tmp.resolve("foreign"));
      Files.writeString(foreign.resolve("notes.txt"), "mine");
      IOException e = assertThrows(IOException.class, () -> a.save(foreign));
      assertTrue(e.getMessage().contains("notes.txt"), e.getMessage());
      assertEquals(List.of("notes.txt"), listNames(foreign));
      assertEquals(List.of("foreign", "out"), listNames(tmp), "no temporary folders left");
    }
  }

  @Test
  void newHeadsAreSavedAndReloaded() throws Exception {
    Path src = Fixture.copy(Files.createDirectory(tmp.resolve("src")), "colbert_linear.pt", "sparse_linear.pt");
    try (M3Model a = M3Model.load(src, LoadOptions.builder().initNewHeads(true).build())) {
      Path out = tmp.resolve("out");
      a.save(out);
      try (M3Model b = M3Model.load(out, LoadOptions.defaults())) {
        assertTrue(b.warnings().isEmpty());
        assertEquals(a.fingerprint(), b.fingerprint());
      }
    }
  }
}
