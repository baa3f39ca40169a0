package io.m3spark.weights;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sizes and offsets chosen so that plain long arithmetic wraps around or lands outside the file. */
class HostileSizesTest {
  @TempDir Path tmp;

  @Test
  void aTensorWhoseByteCountWrapsAroundIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new HostTensor(DType.F32, new long[] {1L << 62}, ByteBuffer.allocate(0)));
    assertTrue(e.getMessage().contains("too large"), e.getMessage());
  }

  @Test
  void safetensorsDimensionsMustBeIntegers() throws IOException {
    Path f = safetensors("{\"w\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", 4);
    WeightsFormatException e = assertThrows(WeightsFormatException.class, () -> SafetensorsFile.open(f));
    assertTrue(e.getMessage().contains("invalid dimension 1.5"), e.getMessage());
  }

  @Test
  void zipCentralDirectoryOffsetThatOverflowsIsRefused() throws IOException {
    Path f = tmp.resolve("w.pt");
    TorchZipWriter.write(f, Map.of("w", HostTensor.ofFloats(new float[] {1, 2}, 2)));
    byte[] zip = Files.readAllBytes(f);
    ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
    int z64 = lastIndexOf(b, 0x06064b50);
    b.putLong(z64 + 48, Long.MAX_VALUE - 10); // offset + size wraps to a negative number
    Files.write(f, zip);
    WeightsFormatException e = assertThrows(WeightsFormatException.class, () -> TorchPickleReader.read(f));
    assertTrue(e.getMessage().contains("central directory") && e.getMessage().contains("does not fit"), e.getMessage());
  }

  private static int lastIndexOf(ByteBuffer b, int signature) {
    for (int i = b.limit() - 4; i >= 0; i--) {
      if (b.getInt(i) == signature) {
        return i;
      }
    }
    throw new IllegalStateException("no record " + Integer.toHexString(signature));
  }

  private Path safetensors(String header, int dataBytes) throws IOException {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h);
    return Files.write(tmp.resolve("m.safetensors"), b.array());
  }
}
