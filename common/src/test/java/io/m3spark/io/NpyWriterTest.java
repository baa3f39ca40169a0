package io.m3spark.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class NpyWriterTest {

  @Test
  void roundTripsAndAlignsTheHeaderAsNumpyDoes() throws Exception {
    float[][] rows = {{1f, -2.5f, 3e-8f}, {Float.MAX_VALUE, 0f, -0f}};
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (NpyWriter w = new NpyWriter(bytes, 2, 3)) {
      for (float[] r : rows) {
        w.writeRow(r);
      }
    }
    byte[] file = bytes.toByteArray();
    int headerLength = (file[8] & 0xFF) | (file[9] & 0xFF) << 8;
    assertEquals(0, (10 + headerLength) % 64);
    assertEquals(10 + headerLength + 2 * 3 * 4, file.length);
    String header = new String(file, 10, headerLength, StandardCharsets.US_ASCII);
    assertEquals("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", header.strip());
    // little-endian 1.0f right after the header
    assertArrayEquals(new byte[] {0, 0, (byte) 0x80, 0x3f}, java.util.Arrays.copyOfRange(file, 10 + headerLength,
        14 + headerLength));
    float[][] back = NpyReader.read(new ByteArrayInputStream(file));
    for (int i = 0; i < rows.length; i++) {
      assertArrayEquals(rows[i], back[i]);
    }
  }

  @Test
  void refusesAShortOrWideMatrix() throws Exception {
    NpyWriter short1 = new NpyWriter(new ByteArrayOutputStream(), 2, 1);
    short1.writeRow(new float[] {1f});
    assertThrows(IllegalStateException.class, short1::close);
    NpyWriter wide = new NpyWriter(new ByteArrayOutputStream(), 1, 1);
    assertThrows(IllegalArgumentException.class, () -> wide.writeRow(new float[] {1f, 2f}));
  }
}
