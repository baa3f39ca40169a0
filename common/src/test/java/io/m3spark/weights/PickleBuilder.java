package io.m3spark.weights;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Hand-assembles pickles opcode by opcode, and wraps them in a torch-style zip, for tests. */
final class PickleBuilder {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  PickleBuilder op(int... bytes) {
    for (int b : bytes) {
      out.write(b);
    }
    return this;
  }

  PickleBuilder str(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    op('X', b.length, b.length >>> 8, b.length >>> 16, b.length >>> 24);
    out.writeBytes(b);
    return this;
  }

  PickleBuilder global(String module, String name) {
    op('c');
    out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
    return this;
  }

  PickleBuilder integer(int v) {
    return op('J', v, v >>> 8, v >>> 16, v >>> 24);
  }

  /** LONG1 with all 8 bytes: any long, e.g. the 2^62 a hostile size claims. */
  PickleBuilder longInt(long v) {
    op(0x8a, 8);
    for (int i = 0; i < 8; i++) {
      op((int) (v >>> (8 * i)) & 0xff);
    }
    return this;
  }

  /** {@code ('storage', torch.<type>, key, 'cpu', numel)} followed by BINPERSID. */
  PickleBuilder storage(String type, String key, int numel) {
    return op('(').str("storage").global("torch", type).str(key).str("cpu").integer(numel).op('t', 'Q');
  }

  /** {@code _rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())} as REDUCE. */
  PickleBuilder tensor(String type, String key, int numel, int offset, int[] size, int[] stride) {
    global("torch._utils", "_rebuild_tensor_v2").op('(');
    storage(type, key, numel).integer(offset);
    op('(');
    for (int s : size) {
      integer(s);
    }
    op('t', '(');
    for (int s : stride) {
      integer(s);
    }
    op('t', 0x89).global("collections", "OrderedDict").op(')', 'R', 't', 'R');
    return this;
  }

  byte[] bytes() {
    return out.toByteArray();
  }

  /** A zip laid out like torch.save's: {@code prefix/data.pkl}, {@code prefix/data/<key>}, {@code prefix/version}. */
  static Path torchZip(Path file, String prefix, byte[] pickle, Map<String, byte[]> storages) throws IOException {
    try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
      put(zip, prefix + "/data.pkl", pickle);
      for (Map.Entry<String, byte[]> e : storages.entrySet()) {
        put(zip, prefix + "/data/" + e.getKey(), e.getValue());
      }
      put(zip, prefix + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
    }
    return file;
  }

  private static void put(ZipOutputStream zip, String name, byte[] data) throws IOException {
    ZipEntry e = new ZipEntry(name);
    e.setMethod(ZipEntry.STORED);
    e.setSize(data.length);
    CRC32 crc = new CRC32();
    crc.update(data);
    e.setCrc(crc.getValue());
    zip.putNextEntry(e);
    zip.write(data);
    zip.closeEntry();
  }
}
