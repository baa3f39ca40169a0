package io.m3spark.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TorchZipWriterTest {
  @TempDir Path tmp;

  @Test
  void rewritesTheFixtureFilesByteForByte() throws IOException {
    for (String name : List.of("sparse_linear.pt", "colbert_linear.pt", "pytorch_model.bin")) {
      Path fixture = Fixture.file(name);
      Path out = tmp.resolve(name); // same file name, hence the same archive folder
      TorchZipWriter.write(out, TorchPickleReader.read(fixture));
      assertArrayEquals(Files.readAllBytes(fixture), Files.readAllBytes(out), name);
    }
  }

  @Test
  void roundTripsEveryStorageTypeAndShape() throws IOException {
    Map<String, HostTensor> sd = new LinkedHashMap<>();
    sd.put("f32", HostTensor.ofFloats(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
    sd.put("f16", tensor(DType.F16, new long[] {2, 1, 2, 1}, 0x3c00, 0xc000, 0x0001, 0x7c00));
    sd.put("bf16", tensor(DType.BF16, new long[] {3}, 0x3f80, 0x0080, 0xff80));
    sd.put("f64", tensor(DType.F64, new long[] {1}, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f));
    sd.put("i64", tensor(DType.I64, new long[] {}, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff));
    sd.put("empty", tensor(DType.F32, new long[] {0, 4}));
    sd.put("big", HostTensor.ofFloats(new float[70000], 70000));
    Path out = tmp.resolve("mixed.pt");
    TorchZipWriter.write(out, sd);
    Map<String, HostTensor> back = TorchPickleReader.read(out);
    assertEquals(List.copyOf(sd.keySet()), List.copyOf(back.keySet()));
    for (String name : sd.keySet()) {
      assertEquals(sd.get(name).dtype(), back.get(name).dtype(), name);
      assertArrayEquals(sd.get(name).shape(), back.get(name).shape(), name);
      assertArrayEquals(Fixture.bytes(sd.get(name)), Fixture.bytes(back.get(name)), name);
    }
    assertArrayEquals(new float[] {1f}, back.get("f64").toFloats());
    assertEquals(-1L, back.get("i64").bytes().getLong(0));
    ZipIndex zip = ZipIndex.open(out);
    assertEquals(List.of("mixed/data.pkl", "mixed/data/0", "mixed/data/1", "mixed/data/2", "mixed/data/3",
        "mixed/data/4", "mixed/data/5", "mixed/data/6", "mixed/version"), List.copyOf(zip.entries().keySet()));
  }

  @Test
  void entriesBeyondFourGibibytesGetZip64Fields() throws IOException {
    // A sparse file whose first record starts past 4 GiB: the local header, descriptor and central directory
    // entry must carry the offset in zip64 fields, and the data must still be 64-byte aligned.
    Path f = tmp.resolve("far.pt");
    long start = (1L << 32) + 13;
    byte[] payload = "far away".getBytes(StandardCharsets.US_ASCII);
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ch.position(start);
      TorchZipRecords zip = new TorchZipRecords(ch, "far/");
      zip.add("data/0", ByteBuffer.wrap(payload));
      zip.finish();
    }
    ZipIndex index = ZipIndex.open(f);
    ZipIndex.Entry e = index.entries().get("far/data/0");
    assertEquals(start, e.localHeaderOffset());
    ByteBuffer data = index.map(e);
    byte[] read = new byte[data.remaining()];
    data.get(read);
    assertArrayEquals(payload, read);
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
      ByteBuffer local = ByteBuffer.allocate(30 + 10 + 12).order(ByteOrder.LITTLE_ENDIAN);
      ch.read(local, start);
      assertEquals(0x0001, local.getShort(40)); // zip64 extra first, holding only the offset
      assertEquals(8, local.getShort(42));
      assertEquals(start, local.getLong(44));
      long dataStart = start + 30 + 10 + (local.getShort(28) & 0xffff);
      assertEquals(0, dataStart % 64);
      ByteBuffer descriptor = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
      ch.read(descriptor, dataStart + payload.length);
      assertEquals(0x08074b50, descriptor.getInt(0));
      assertEquals(payload.length, descriptor.getLong(8)); // 64-bit sizes in the descriptor
      assertEquals(payload.length, descriptor.getLong(16));
    }
  }

  private static HostTensor tensor(DType dtype, long[] shape, int... bytes) {
    ByteBuffer b = ByteBuffer.allocate((int) HostTensor.numel(shape) * dtype.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < bytes.length; i++) {
      if (dtype.byteSize() == 2) {
        b.putShort((short) bytes[i]);
      } else {
        b.put((byte) bytes[i]);
      }
    }
    return new HostTensor(dtype, shape, b.rewind());
  }
}
