package io.m3spark.io;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads a 2-D little-endian float32 {@code .npy} file (version 1.0 or 2.0, C order), such as {@link NpyWriter} writes. */
public final class NpyReader {
  private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\((\\d+),\\s*(\\d+),?\\)");

  private NpyReader() {}

  /**
   * The shape of a 2-D float32 array and where its data starts, so that rows can be read with a seek: row r begins at
   * byte {@code dataOffset + r * cols * 4}.
   */
  public record Header(long rows, int cols, long dataOffset) {}

  /** Reads the header and leaves {@code stream} at the first data byte. */
  public static Header readHeader(InputStream stream) throws IOException {
    DataInputStream in = new DataInputStream(stream);
    byte[] magic = in.readNBytes(6);
    if (!Arrays.equals(magic, NpyWriter.MAGIC)) {
      throw new IOException("not an npy file");
    }
    int major = in.readUnsignedByte();
    in.readUnsignedByte();
    byte[] lengthBytes = in.readNBytes(major == 1 ? 2 : 4);
    ByteBuffer lb = ByteBuffer.wrap(Arrays.copyOf(lengthBytes, 4)).order(ByteOrder.LITTLE_ENDIAN);
    int headerLength = lb.getInt();
    String header = new String(in.readNBytes(headerLength), StandardCharsets.ISO_8859_1);
    if (!header.contains("'descr': '<f4'") || !header.contains("'fortran_order': False")) {
      throw new IOException("only C-order <f4 arrays are supported, header: " + header.strip());
    }
    Matcher m = SHAPE.matcher(header);
    if (!m.find()) {
      throw new IOException("only 2-D arrays are supported, header: " + header.strip());
    }
    return new Header(Long.parseLong(m.group(1)), Integer.parseInt(m.group(2)),
        6 + 2 + lengthBytes.length + headerLength);
  }

  public static float[][] read(InputStream stream) throws IOException {
    DataInputStream in = new DataInputStream(stream);
    Header h = readHeader(in);
    int rows = Math.toIntExact(h.rows());
    int cols = h.cols();
    float[][] result = new float[rows][cols];
    byte[] row = new byte[cols * Float.BYTES];
    for (int r = 0; r < rows; r++) {
      in.readFully(row);
      ByteBuffer.wrap(row).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(result[r]);
    }
    if (in.read() != -1) {
      throw new IOException("npy file has data beyond its declared shape (" + rows + ", " + cols + ")");
    }
    return result;
  }
}
