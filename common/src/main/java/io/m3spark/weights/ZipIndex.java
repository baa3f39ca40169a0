package io.m3spark.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The central directory of a zip file, read directly so that stored (uncompressed) entries can be memory-mapped in
 * place: {@link java.util.zip.ZipFile} would copy every tensor through a stream. Zip64 records are understood,
 * so archives and entries over 4 GiB work.
 */
final class ZipIndex {
  private static final int LOCAL_SIG = 0x04034b50;
  private static final int CENTRAL_SIG = 0x02014b50;
  private static final int END_SIG = 0x06054b50;
  private static final int ZIP64_END_SIG = 0x06064b50;
  private static final int ZIP64_LOCATOR_SIG = 0x07064b50;
  private static final int END_SIZE = 22;
  private static final int LOCATOR_SIZE = 20;
  /** A central directory larger than this is not a checkpoint's (torch writes ~100 bytes per tensor). */
  private static final long MAX_CENTRAL_DIR = 256L << 20;

  /** One entry: where its bytes start in the file and how many there are. */
  record Entry(String name, int method, long size, long localHeaderOffset) {}

  private final Path file;
  private final long fileSize;
  private final Map<String, Entry> entries;

  private ZipIndex(Path file, long fileSize, Map<String, Entry> entries) {
    this.file = file;
    this.fileSize = fileSize;
    this.entries = entries;
  }

  /** True when the file starts with a zip local header. */
  static boolean looksLikeZip(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      if (ch.size() < 4) {
        return false;
      }
      return read(ch, 0, 4).getInt(0) == LOCAL_SIG;
    }
  }

  static ZipIndex open(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      long endPos = findEnd(file, ch, size);
      ByteBuffer end = read(ch, endPos, END_SIZE);
      long count = end.getShort(10) & 0xffff;
      long cdSize = end.getInt(12) & 0xffffffffL;
      long cdOffset = end.getInt(16) & 0xffffffffL;
      if (endPos >= LOCATOR_SIZE && read(ch, endPos - LOCATOR_SIZE, 4).getInt(0) == ZIP64_LOCATOR_SIG) {
        long z64Pos = read(ch, endPos - LOCATOR_SIZE + 8, 8).getLong(0);
        if (z64Pos < 0 || z64Pos > size - 56) {
          throw new WeightsFormatException(file, "corrupt zip: zip64 end record offset " + z64Pos + " outside the file");
        }
        ByteBuffer z64 = read(ch, z64Pos, 56);
        if (z64.getInt(0) != ZIP64_END_SIG) {
          throw new WeightsFormatException(file, "corrupt zip: no zip64 end record where the locator points");
        }
        count = z64.getLong(32);
        cdSize = z64.getLong(40);
        cdOffset = z64.getLong(48);
      }
      if (cdOffset < 0 || cdSize < 0 || cdSize > MAX_CENTRAL_DIR || cdOffset > size - cdSize) {
        throw new WeightsFormatException(file, "corrupt zip: central directory [" + cdOffset + ", +" + cdSize
            + ") does not fit a file of " + size + " bytes (truncated?)");
      }
      ByteBuffer cd = read(ch, cdOffset, (int) cdSize);
      Map<String, Entry> entries = new LinkedHashMap<>();
      int p = 0;
      for (long i = 0; i < count; i++) {
        Entry e = parseCentral(file, cd, p);
        if (entries.put(e.name, e) != null) {
          throw new WeightsFormatException(file, "corrupt zip: duplicate entry " + e.name);
        }
        p += 46 + (cd.getShort(p + 28) & 0xffff) + (cd.getShort(p + 30) & 0xffff) + (cd.getShort(p + 32) & 0xffff);
      }
      return new ZipIndex(file, size, Collections.unmodifiableMap(entries));
    }
  }

  private static long findEnd(Path file, FileChannel ch, long size) throws IOException {
    int tail = (int) Math.min(size, END_SIZE + 0xffff);
    ByteBuffer buf = read(ch, size - tail, tail);
    for (int i = tail - END_SIZE; i >= 0; i--) {
      if (buf.getInt(i) == END_SIG) {
        return size - tail + i;
      }
    }
    throw new WeightsFormatException(file, "corrupt zip: no end-of-central-directory record (file truncated?)");
  }

  private static Entry parseCentral(Path file, ByteBuffer cd, int p) throws WeightsFormatException {
    if (p + 46 > cd.limit() || cd.getInt(p) != CENTRAL_SIG) {
      throw new WeightsFormatException(file, "corrupt zip: bad central directory entry at +" + p);
    }
    int method = cd.getShort(p + 10) & 0xffff;
    long csize = cd.getInt(p + 20) & 0xffffffffL;
    long usize = cd.getInt(p + 24) & 0xffffffffL;
    int nameLen = cd.getShort(p + 28) & 0xffff;
    int extraLen = cd.getShort(p + 30) & 0xffff;
    long offset = cd.getInt(p + 42) & 0xffffffffL;
    if (p + 46 + nameLen + extraLen > cd.limit()) {
      throw new WeightsFormatException(file, "corrupt zip: central directory entry at +" + p + " runs past its end");
    }
    byte[] nameBytes = new byte[nameLen];
    cd.get(p + 46, nameBytes);
    String name = new String(nameBytes, StandardCharsets.UTF_8);
    // Zip64 extended information: only the fields whose 32-bit slot is saturated are present, in this order.
    for (int x = p + 46 + nameLen; x + 4 <= p + 46 + nameLen + extraLen; ) {
      int id = cd.getShort(x) & 0xffff;
      int len = cd.getShort(x + 2) & 0xffff;
      if (id == 0x0001) {
        int f = x + 4;
        int fieldEnd = x + 4 + len;
        if (fieldEnd > cd.limit()) {
          throw new WeightsFormatException(file, "corrupt zip: zip64 field of " + name + " runs past the directory");
        }
        if (usize == 0xffffffffL) {
          usize = zip64Value(file, cd, f, fieldEnd, name);
          f += 8;
        }
        if (csize == 0xffffffffL) {
          csize = zip64Value(file, cd, f, fieldEnd, name);
          f += 8;
        }
        if (offset == 0xffffffffL) {
          offset = zip64Value(file, cd, f, fieldEnd, name);
        }
      }
      x += 4 + len;
    }
    if (usize < 0 || csize < 0 || offset < 0) {
      throw new WeightsFormatException(file, "corrupt zip: entry " + name + " has a size or offset over 2^63");
    }
    if (method == 0 && csize != usize) {
      throw new WeightsFormatException(file, "corrupt zip: stored entry " + name + " has sizes " + csize + " and " + usize);
    }
    return new Entry(name, method, usize, offset);
  }

  private static long zip64Value(Path file, ByteBuffer cd, int at, int fieldEnd, String name)
      throws WeightsFormatException {
    if (at + 8 > fieldEnd) {
      throw new WeightsFormatException(file, "corrupt zip: zip64 field of " + name + " is too short");
    }
    return cd.getLong(at);
  }

  long fileSize() {
    return fileSize;
  }

  Map<String, Entry> entries() {
    return entries;
  }

  /** Maps a stored entry's bytes read-only (entries over 2 GiB cannot be one buffer). */
  ByteBuffer map(Entry e) throws IOException {
    if (e.method != 0) {
      throw new WeightsFormatException(file, "zip entry " + e.name + " is compressed (method " + e.method
          + "); torch.save stores entries uncompressed, re-save the checkpoint with torch.save");
    }
    if (e.size > Integer.MAX_VALUE) {
      throw new WeightsFormatException(file, "zip entry " + e.name + " is " + e.size + " bytes; over 2 GiB is not supported");
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      if (e.localHeaderOffset < 0 || e.localHeaderOffset > fileSize - 30) {
        throw new WeightsFormatException(file, "corrupt zip: local header of " + e.name + " outside the file");
      }
      ByteBuffer local = read(ch, e.localHeaderOffset, 30);
      if (local.getInt(0) != LOCAL_SIG) {
        throw new WeightsFormatException(file, "corrupt zip: no local header for " + e.name);
      }
      long start = e.localHeaderOffset + 30 + (local.getShort(26) & 0xffff) + (local.getShort(28) & 0xffff);
      if (e.size > fileSize - start) {
        throw new WeightsFormatException(file, "zip entry " + e.name + " runs past the end of the file (truncated?)");
      }
      if (e.size == 0) {
        return ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);
      }
      return ch.map(FileChannel.MapMode.READ_ONLY, start, e.size).order(ByteOrder.LITTLE_ENDIAN);
    }
  }

  private static ByteBuffer read(FileChannel ch, long pos, int len) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
    while (buf.hasRemaining()) {
      if (ch.read(buf, pos + buf.position()) < 0) {
        throw new IOException("unexpected end of file");
      }
    }
    return buf.flip();
  }
}
