package io.m3spark.io;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The one way m3spark turns the bytes of an input line into text: UTF-8 decoded strictly (an invalid sequence is an
 * error naming its byte offset, never a silent U+FFFD that would then be trained on or written out), and a byte-order
 * mark at the start of a file's first line dropped (some Windows editors write one; left in, it becomes part of the first
 * id or breaks the first JSON object). Every line-oriented reader of input text goes through here, locally
 * ({@link TextLines}) or on Spark executors (the raw line bytes of Hadoop's line reader); whole-file JSON readers leave
 * both to Jackson's byte parser, which is strict and skips a BOM too.
 */
public final class StrictUtf8 {
  private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  private StrictUtf8() {}

  /** A line that is not valid UTF-8; the message says where ({@code invalid UTF-8 at byte 12}). */
  public static final class InvalidUtf8Exception extends CharacterCodingException {
    private static final long serialVersionUID = 1L;
    private final String message;

    InvalidUtf8Exception(int offset) {
      this.message = "invalid UTF-8 at byte " + offset;
    }

    @Override
    public String getMessage() {
      return message;
    }
  }

  /**
   * Decodes line {@code lineNumber} (1-based) of a file; the BOM is dropped from line 1 only.
   *
   * @throws InvalidUtf8Exception at the first byte that is not valid UTF-8 (offset counted from the start of the line)
   */
  public static String decodeLine(byte[] bytes, long lineNumber) throws InvalidUtf8Exception {
    int start = lineNumber == 1 && startsWithBom(bytes) ? BOM.length : 0;
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes, start, bytes.length - start);
    CharBuffer out = CharBuffer.allocate(bytes.length - start);
    if (decoder.decode(in, out, true).isError() || decoder.flush(out).isError()) {
      throw new InvalidUtf8Exception(in.position());
    }
    return out.flip().toString();
  }

  /** Decodes a string value that is not a line of a file (a Parquet cell): no BOM handling. */
  public static String decode(byte[] bytes) throws InvalidUtf8Exception {
    return decodeLine(bytes, 0);
  }

  /** The bytes shown in error messages and quarantine files: invalid sequences as U+FFFD, for display only. */
  public static String forDisplay(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static boolean startsWithBom(byte[] bytes) {
    return bytes.length >= BOM.length && Arrays.equals(bytes, 0, BOM.length, BOM, 0, BOM.length);
  }
}
