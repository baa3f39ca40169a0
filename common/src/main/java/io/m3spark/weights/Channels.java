package io.m3spark.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** Channel writes that loop until done: a single {@code write} may take only part of a buffer. */
final class Channels {
  private Channels() {}

  static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
  }
}
