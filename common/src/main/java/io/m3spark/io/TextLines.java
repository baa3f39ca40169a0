package io.m3spark.io;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a local text file line by line with 1-based line numbers, decoded by {@link StrictUtf8} (strict UTF-8, BOM
 * dropped). Lines end at LF, CR or CR LF, as for Hadoop's line reader and {@link java.io.BufferedReader}, so a line
 * number here is the one an executor reading the same file reports. Bytes are split into lines before decoding, so an
 * invalid sequence is reported on its own line (a decoding reader fails a whole buffer ahead of the line it is on).
 */
public final class TextLines implements Closeable {
  private final String name;
  private final InputStream in;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream();
  private long number;

  private TextLines(Path file) throws IOException {
    this.name = file.toString();
    this.in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
  }

  /** Opens {@code file}; close the result (try-with-resources). */
  public static TextLines open(Path file) throws IOException {
    return new TextLines(file);
  }

  /** The number of the line last returned (0 before the first). */
  public long number() {
    return number;
  }

  /** The next line's raw bytes without its line ending, or {@code null} at the end of the file. */
  public byte[] nextBytes() throws IOException {
    line.reset();
    int b = in.read();
    if (b < 0) {
      return null;
    }
    while (b >= 0 && b != '\n' && b != '\r') {
      line.write(b);
      b = in.read();
    }
    if (b == '\r') {
      in.mark(1);
      if (in.read() != '\n') {
        in.reset();
      }
    }
    number++;
    return line.toByteArray();
  }

  /**
   * The next line as text, or {@code null} at the end of the file.
   *
   * @throws IOException {@code file:line: invalid UTF-8 at byte n} when the line does not decode
   */
  public String next() throws IOException {
    byte[] bytes = nextBytes();
    if (bytes == null) {
      return null;
    }
    try {
      return StrictUtf8.decodeLine(bytes, number);
    } catch (StrictUtf8.InvalidUtf8Exception e) {
      throw new IOException(name + ":" + number + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
