package io.m3spark.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Streams a float32 matrix into numpy's {@code .npy} format, version 1.0: {@code <f4}, C order, shape (rows, cols).
 * The shape goes into the header, so it must be known up front; rows are then written one at a time and the row count is
 * checked on {@link #close}, so a short file can never pass for a complete one.
 */
public final class NpyWriter implements AutoCloseable {
  static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  /** numpy pads the header so that the data starts at a multiple of 64 bytes. */
  static final int ALIGNMENT = 64;

  private final OutputStream out;
  private final long rows;
  private final int cols;
  private final ByteBuffer row;
  private long written;

  public NpyWriter(OutputStream out, long rows, int cols) throws IOException {
    if (rows < 0 || cols < 0) {
      throw new IllegalArgumentException("negative shape (" + rows + ", " + cols + ")");
    }
    this.out = out;
    this.rows = rows;
    this.cols = cols;
    this.row = ByteBuffer.allocate(cols * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    out.write(header(rows, cols));
  }

  static byte[] header(long rows, int cols) {
    String dict = String.format(Locale.ROOT, "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }", rows, cols);
    int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1;
    int padding = (ALIGNMENT - unpadded % ALIGNMENT) % ALIGNMENT;
    String text = dict + " ".repeat(padding) + "\n";
    if (text.length() > 0xFFFF) {
      throw new IllegalArgumentException("npy header too long");
    }
    ByteBuffer b = ByteBuffer.allocate(MAGIC.length + 4 + text.length()).order(ByteOrder.LITTLE_ENDIAN);
    b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) text.length()).put(text.getBytes(StandardCharsets.US_ASCII));
    return b.array();
  }

  public void writeRow(float[] values) throws IOException {
    if (values.length != cols) {
      throw new IllegalArgumentException("row " + written + " has " + values.length + " values, expected " + cols);
    }
    if (written == rows) {
      throw new IllegalStateException("more than the declared " + rows + " rows");
    }
    row.clear();
    row.asFloatBuffer().put(values);
    out.write(row.array());
    written++;
  }

  @Override
  public void close() throws IOException {
    out.close();
    if (written != rows) {
      throw new IllegalStateException("npy file declared " + rows + " rows but " + written + " were written");
    }
  }
}
