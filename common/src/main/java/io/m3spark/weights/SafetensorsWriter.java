package io.m3spark.weights;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * Writes the safetensors format: an 8-byte little-endian header length, a JSON header ({@code __metadata__} first
 * when there is any, then one entry per tensor in the order given), padded with spaces to a multiple of 8 bytes
 * as the reference implementation does, then the tensors' bytes back to back. Tensors are streamed one by one
 * (memory-mapped inputs are never gathered in one array), into a temporary file that is then renamed over
 * {@code file}.
 */
public final class SafetensorsWriter {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SafetensorsWriter() {}

  /**
   * Writes {@code tensors} to {@code file}. Hugging Face writes {@code metadata} {@code {"format": "pt"}}; pass an
   * empty map to write none.
   */
  public static void write(Path file, Map<String, HostTensor> tensors, Map<String, String> metadata) throws IOException {
    byte[] header = header(tensors, metadata);
    io.m3spark.io.AtomicFiles.write(file, ch -> {
      Channels.writeFully(ch, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length));
      Channels.writeFully(ch, ByteBuffer.wrap(header));
      for (HostTensor t : tensors.values()) {
        Channels.writeFully(ch, t.bytes());
      }
    });
  }

  static byte[] header(Map<String, HostTensor> tensors, Map<String, String> metadata) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    if (!metadata.isEmpty()) {
      ObjectNode meta = root.putObject("__metadata__");
      metadata.forEach(meta::put);
    }
    long offset = 0;
    for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
      if (e.getKey().isEmpty() || e.getKey().equals("__metadata__")) {
        throw new IllegalArgumentException("invalid tensor name '" + e.getKey() + "'");
      }
      HostTensor t = e.getValue();
      ObjectNode n = root.putObject(e.getKey());
      n.put("dtype", t.dtype().safetensorsName());
      ArrayNode shape = n.putArray("shape");
      for (long d : t.shape()) {
        shape.add(d);
      }
      long end = offset + t.bytes().remaining();
      n.putArray("data_offsets").add(offset).add(end);
      offset = end;
    }
    byte[] json = JSON.writeValueAsBytes(root);
    int padded = (json.length + 7) / 8 * 8;
    byte[] out = Arrays.copyOf(json, padded);
    Arrays.fill(out, json.length, padded, (byte) ' ');
    return out;
  }
}
