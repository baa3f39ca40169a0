package io.m3spark.weights;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.m3spark.io.StrictJson;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One {@code .safetensors} file, read by memory-mapping each tensor on its own (so files over 2 GiB work).
 * The header and every offset are checked against the file before anything is mapped.
 */
public final class SafetensorsFile {
  /** Headers larger than this are refused: real ones are a few hundred KiB. */
  static final long MAX_HEADER_BYTES = 100L << 20;


  private final Path file;
  private final long dataStart;
  private final Map<String, Entry> entries;
  private final Map<String, String> metadata;

  private record Entry(DType dtype, long[] shape, long begin, long end) {}

  private SafetensorsFile(Path file, long dataStart, Map<String, Entry> entries, Map<String, String> metadata) {
    this.file = file;
    this.dataStart = dataStart;
    this.entries = entries;
    this.metadata = metadata;
  }

  /** Reads and validates the header of {@code file}. */
  public static SafetensorsFile open(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < 8) {
        throw new WeightsFormatException(file, "not a safetensors file: " + size + " bytes, shorter than the 8-byte header length");
      }
      ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(ch, lenBuf, 0);
      long headerLen = lenBuf.getLong(0);
      if (headerLen <= 0 || headerLen > MAX_HEADER_BYTES || headerLen > size - 8) {
        throw new WeightsFormatException(file,
            "corrupt safetensors header: declared header length " + headerLen + " does not fit a file of " + size + " bytes");
      }
      ByteBuffer header = ByteBuffer.allocate((int) headerLen);
      readFully(ch, header, 8);
      JsonNode root;
      try {
        root = StrictJson.READER.readTree(new String(header.array(), StandardCharsets.UTF_8));
      } catch (JsonProcessingException e) {
        throw new WeightsFormatException(file, "corrupt safetensors header: not valid JSON (" + e.getOriginalMessage() + ")");
      }
      if (root == null || !root.isObject()) {
        throw new WeightsFormatException(file, "corrupt safetensors header: not a JSON object");
      }
      long dataStart = 8 + headerLen;
      long dataLen = size - dataStart;
      Map<String, Entry> entries = new LinkedHashMap<>();
      Map<String, String> metadata = new LinkedHashMap<>();
      List<long[]> ranges = new ArrayList<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        if (f.getKey().equals("__metadata__")) {
          parseMetadata(file, f.getValue(), metadata);
          continue;
        }
        Entry e = parseEntry(file, f.getKey(), f.getValue(), dataLen);
        entries.put(f.getKey(), e);
        ranges.add(new long[] {e.begin, e.end});
      }
      ranges.sort((a, b) -> Long.compare(a[0], b[0]));
      for (int i = 1; i < ranges.size(); i++) {
        if (ranges.get(i)[0] < ranges.get(i - 1)[1]) {
          throw new WeightsFormatException(file, "corrupt safetensors header: tensor data ranges overlap");
        }
      }
      return new SafetensorsFile(file, dataStart, Collections.unmodifiableMap(entries), Collections.unmodifiableMap(metadata));
    }
  }

  /** The format says string to string; anything else is a corrupt header. */
  private static void parseMetadata(Path file, JsonNode n, Map<String, String> out) throws WeightsFormatException {
    if (!n.isObject()) {
      throw new WeightsFormatException(file, "corrupt safetensors header: __metadata__ is not an object");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> m = it.next();
      if (!m.getValue().isTextual()) {
        throw new WeightsFormatException(file, "corrupt safetensors header: __metadata__ value " + m.getKey() + " is not a string");
      }
      out.put(m.getKey(), m.getValue().asText());
    }
  }

  private static Entry parseEntry(Path file, String name, JsonNode n, long dataLen) throws WeightsFormatException {
    String where = "corrupt safetensors header: tensor '" + name + "' ";
    if (!n.isObject() || !n.path("dtype").isTextual() || !n.path("shape").isArray()
        || !n.path("data_offsets").isArray() || n.path("data_offsets").size() != 2) {
      throw new WeightsFormatException(file, where + "needs dtype, shape and two data_offsets");
    }
    DType dtype = DType.fromSafetensors(n.get("dtype").asText());
    if (dtype == null) {
      throw new WeightsFormatException(file, where + "has unsupported dtype " + n.get("dtype").asText());
    }
    long[] shape = new long[n.get("shape").size()];
    for (int i = 0; i < shape.length; i++) {
      JsonNode d = n.get("shape").get(i);
      if (!d.isIntegralNumber() || !d.canConvertToLong() || d.asLong() < 0) {
        throw new WeightsFormatException(file, where + "has an invalid dimension " + d);
      }
      shape[i] = d.asLong();
    }
    JsonNode b = n.get("data_offsets").get(0);
    JsonNode e = n.get("data_offsets").get(1);
    if (!b.isIntegralNumber() || !e.isIntegralNumber() || !b.canConvertToLong() || !e.canConvertToLong()) {
      throw new WeightsFormatException(file, where + "has non-integer data_offsets");
    }
    long begin = b.asLong();
    long end = e.asLong();
    long expected;
    try {
      expected = Math.multiplyExact(HostTensor.numel(shape), dtype.byteSize());
    } catch (ArithmeticException ex) {
      throw new WeightsFormatException(file, where + "has a shape too large to address");
    }
    if (begin < 0 || end < begin || end > dataLen) {
      throw new WeightsFormatException(file, where + "has data_offsets [" + begin + ", " + end
          + ") outside the " + dataLen + " data bytes (file truncated?)");
    }
    if (end - begin != expected) {
      throw new WeightsFormatException(file, where + "has " + (end - begin) + " data bytes but "
          + dtype + " shape " + java.util.Arrays.toString(shape) + " needs " + expected);
    }
    return new Entry(dtype, shape, begin, end);
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
    while (buf.hasRemaining()) {
      int n = ch.read(buf, pos + buf.position());
      if (n < 0) {
        throw new IOException("unexpected end of file");
      }
    }
  }

  public Path file() {
    return file;
  }

  /** Tensor names in header order. */
  public List<String> names() {
    return List.copyOf(entries.keySet());
  }

  public boolean contains(String name) {
    return entries.containsKey(name);
  }

  public Map<String, String> metadata() {
    return metadata;
  }

  public DType dtype(String name) {
    return entry(name).dtype;
  }

  public long[] shape(String name) {
    return entry(name).shape.clone();
  }

  /** The tensor's bytes, memory-mapped (one mapping per tensor, each under 2 GiB). */
  public HostTensor get(String name) throws IOException {
    Entry e = entry(name);
    long len = e.end - e.begin;
    if (len > Integer.MAX_VALUE) {
      throw new WeightsFormatException(file, "tensor '" + name + "' is " + len + " bytes; a single tensor over 2 GiB is not supported");
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer mapped = len == 0 ? ByteBuffer.allocate(0) : ch.map(FileChannel.MapMode.READ_ONLY, dataStart + e.begin, len);
      return new HostTensor(e.dtype, e.shape, mapped);
    }
  }

  private Entry entry(String name) {
    Entry e = entries.get(name);
    if (e == null) {
      throw new IllegalArgumentException(file + ": no tensor named '" + name + "'");
    }
    return e;
  }
}
