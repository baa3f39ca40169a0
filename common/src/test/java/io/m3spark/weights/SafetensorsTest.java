package io.m3spark.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  @Test
  void readsTheFixtureFolderInHeaderOrder() throws IOException {
    Map<String, HostTensor> w = SafetensorsWeights.read(Fixture.file("model.safetensors").getParent());
    assertEquals(SafetensorsFile.open(Fixture.file("model.safetensors")).names(), List.copyOf(w.keySet()));
    assertEquals(39, w.size());
    assertArrayEquals(new long[] {4002, 32}, w.get("embeddings.word_embeddings.weight").shape());
    assertEquals(DType.F32, w.get("pooler.dense.bias").dtype());
  }

  @Test
  void roundTripsTheFixture() throws IOException {
    Path fixture = Fixture.file("model.safetensors");
    Map<String, HostTensor> original = SafetensorsWeights.read(fixture);
    Path out = tmp.resolve("model.safetensors");
    SafetensorsWriter.write(out, original, Map.of("format", "pt"));

    Map<String, HostTensor> back = SafetensorsWeights.read(out);
    assertEquals(List.copyOf(original.keySet()), List.copyOf(back.keySet()));
    for (String name : original.keySet()) {
      assertEquals(original.get(name).dtype(), back.get(name).dtype());
      assertArrayEquals(original.get(name).shape(), back.get(name).shape());
      assertArrayEquals(Fixture.bytes(original.get(name)), Fixture.bytes(back.get(name)), name);
    }
    // Same header content (the fixture happens to put __metadata__ last, we put it first as Hugging Face's
    // reference writer does), same padding rule, and a byte-identical data section.
    byte[] a = Files.readAllBytes(fixture);
    byte[] b = Files.readAllBytes(out);
    assertEquals(headerLength(a), headerLength(b));
    assertEquals(0, headerLength(b) % 8);
    assertEquals(header(a), header(b));
    assertEquals("__metadata__", header(b).fieldNames().next());
    assertArrayEquals(Arrays.copyOfRange(a, 8 + (int) headerLength(a), a.length),
        Arrays.copyOfRange(b, 8 + (int) headerLength(b), b.length));
    assertEquals(Map.of("format", "pt"), SafetensorsFile.open(out).metadata());
  }

  @Test
  void writesNoMetadataWhenEmptyAndReplacesAtomically() throws IOException {
    Path out = tmp.resolve("x.safetensors");
    Files.writeString(out, "old");
    SafetensorsWriter.write(out, Map.of("a", HostTensor.ofFloats(new float[] {1, 2}, 2)), Map.of());
    assertEquals("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
        new String(Files.readAllBytes(out), 8, (int) headerLength(Files.readAllBytes(out)), StandardCharsets.UTF_8).trim());
    assertArrayEquals(new float[] {1, 2}, SafetensorsWeights.read(out).get("a").toFloats());
    try (var files = Files.list(tmp)) {
      assertEquals(List.of(out), files.toList(), "no temporary file left behind");
    }
  }

  @Test
  void readsShardedCheckpoints() throws IOException {
    Map<String, HostTensor> all = SafetensorsWeights.read(Fixture.file("model.safetensors"));
    Path dir = Files.createDirectory(tmp.resolve("sharded"));
    writeShards(dir, all, Map.of());
    Map<String, HostTensor> back = SafetensorsWeights.read(dir);
    assertEquals(List.copyOf(all.keySet()), List.copyOf(back.keySet()));
    for (String name : all.keySet()) {
      assertArrayEquals(Fixture.bytes(all.get(name)), Fixture.bytes(back.get(name)), name);
    }
    assertEquals(all.keySet(), SafetensorsWeights.read(dir.resolve(SafetensorsWeights.INDEX)).keySet());
  }

  @Test
  void refusesInconsistentShardIndexes() throws IOException {
    Map<String, HostTensor> all = SafetensorsWeights.read(Fixture.file("model.safetensors"));
    String first = all.keySet().iterator().next();
    assertShardingRefused(all, Map.of(first, "model-00003-of-00002.safetensors"), "is missing");
    assertShardingRefused(all, Map.of(first, "model-00002-of-00002.safetensors"), "which has no such tensor");
    assertShardingRefused(all, Map.of(first, "../model-00001-of-00002.safetensors"), "not a file in the index's folder");
    assertShardingRefused(all, Map.of(first, tmp.resolve("abs.safetensors").toString()), "not a file in the index's folder");
    assertShardingRefused(all, Map.of("not.a.tensor", "model-00001-of-00002.safetensors"), "which has no such tensor");
  }

  @Test
  void corruptHeadersNameTheFile() throws IOException {
    String ok = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
    assertCorrupt(raw(ok, 8, 1L << 40), "header length");
    assertCorrupt(raw(ok, 8, ok.length() + 100), "header length");
    assertCorrupt(raw("{\"a\":", 8, -1), "not valid JSON");
    assertCorrupt(raw(ok.replace("\"a\"", "\"a\",\"a\":1"), 8, -1), "not valid JSON");
    assertCorrupt(raw(ok.replace("[0,8]", "[0,16]").replace("[2]", "[4]"), 8, -1), "outside the 8 data bytes");
    assertCorrupt(raw(ok.replace("[0,8]", "[4,0]"), 8, -1), "outside");
    assertCorrupt(raw(ok.replace("[2]", "[3]"), 8, -1), "needs 12");
    assertCorrupt(raw(ok.replace("F32", "F8_E4M3"), 8, -1), "unsupported dtype");
    assertCorrupt(raw(ok.replace("}}", "},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}"), 8, -1), "overlap");
    assertCorrupt(raw(ok, 5, -1), "truncated");
    assertCorrupt(raw("{\"__metadata__\":{\"n\":1}}", 0, -1), "not a string");
    Path tiny = tmp.resolve("tiny.safetensors");
    Files.write(tiny, new byte[] {1, 2});
    assertCorrupt(tiny, "shorter than");
  }

  @Test
  void readsTensorsPlacedBeyondTwoGibibytes() throws IOException {
    // A sparse file: two 1 GiB fillers cover the first 2^31 + 8 data bytes, the tensor under test comes after them.
    long half = (1L << 30) + 4;
    long filler = 2 * half;
    String header = "{\"f1\":{\"dtype\":\"U8\",\"shape\":[" + half + "],\"data_offsets\":[0," + half + "]},"
        + "\"f2\":{\"dtype\":\"U8\",\"shape\":[" + half + "],\"data_offsets\":[" + half + "," + filler + "]},"
        + "\"late\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[" + filler + "," + (filler + 12) + "]}}";
    byte[] h = pad(header);
    Path f = tmp.resolve("big.safetensors");
    long dataStart = 8 + h.length;
    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
      raf.write(le(h.length));
      raf.write(h);
      raf.setLength(dataStart + filler + 12);
      raf.seek(dataStart + filler);
      raf.write(TorchPickleReaderTest.floats(1.5f, -2f, 3.25f));
    }
    Map<String, HostTensor> w = SafetensorsWeights.read(f);
    assertArrayEquals(new float[] {1.5f, -2f, 3.25f}, w.get("late").toFloats());
    assertEquals(List.of("f1", "f2", "late"), List.copyOf(w.keySet()));
    assertEquals(0, w.get("f2").bytes().get((int) half - 1));
  }

  // --- helpers

  /** Two shards (first half, second half of the names), then the index with {@code override} applied. */
  private static void writeShards(Path dir, Map<String, HostTensor> all, Map<String, String> override) throws IOException {
    List<String> names = new ArrayList<>(all.keySet());
    Map<String, HostTensor> a = new LinkedHashMap<>();
    Map<String, HostTensor> b = new LinkedHashMap<>();
    Map<String, String> weightMap = new LinkedHashMap<>();
    for (int i = 0; i < names.size(); i++) {
      boolean firstHalf = i < names.size() / 2;
      (firstHalf ? a : b).put(names.get(i), all.get(names.get(i)));
      weightMap.put(names.get(i), "model-0000" + (firstHalf ? 1 : 2) + "-of-00002.safetensors");
    }
    SafetensorsWriter.write(dir.resolve("model-00001-of-00002.safetensors"), a, Map.of("format", "pt"));
    SafetensorsWriter.write(dir.resolve("model-00002-of-00002.safetensors"), b, Map.of("format", "pt"));
    weightMap.putAll(override);
    Map<String, Object> index = Map.of("metadata", Map.of("total_size", 601856), "weight_map", weightMap);
    Files.write(dir.resolve(SafetensorsWeights.INDEX), JSON.writeValueAsBytes(index));
  }

  private void assertShardingRefused(Map<String, HostTensor> all, Map<String, String> override, String expected)
      throws IOException {
    Path dir = Files.createTempDirectory(tmp, "shards");
    writeShards(dir, all, override);
    WeightsFormatException e = assertThrows(WeightsFormatException.class, () -> SafetensorsWeights.read(dir));
    assertTrue(e.getMessage().contains(SafetensorsWeights.INDEX) && e.getMessage().contains(expected), e.getMessage());
  }

  /** A file with the given header, {@code dataBytes} zero bytes of data, and optionally a lying header length. */
  private Path raw(String header, int dataBytes, long declaredLength) throws IOException {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    Path f = Files.createTempFile(tmp, "corrupt", ".safetensors");
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(declaredLength < 0 ? h.length : declaredLength).put(h);
    Files.write(f, b.array());
    return f;
  }

  private static void assertCorrupt(Path f, String expected) {
    WeightsFormatException e = assertThrows(WeightsFormatException.class, () -> SafetensorsWeights.read(f));
    assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  private static long headerLength(byte[] file) {
    return ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
  }

  private static JsonNode header(byte[] file) throws IOException {
    return JSON.readTree(new String(file, 8, (int) headerLength(file), StandardCharsets.UTF_8));
  }

  private static byte[] pad(String header) {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    byte[] out = Arrays.copyOf(h, (h.length + 7) / 8 * 8);
    Arrays.fill(out, h.length, out.length, (byte) ' ');
    return out;
  }

  private static byte[] le(long v) {
    return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
  }
}
