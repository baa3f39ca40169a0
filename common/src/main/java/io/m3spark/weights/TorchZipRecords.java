package io.m3spark.weights;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Writes zip records exactly as PyTorch's stream writer (miniz with zip64 enabled) lays them out: stored entries
 * with a data descriptor, zero DOS time, every entry's data aligned to 64 bytes by an {@code FB} extra field full of
 * {@code Z}, zip64 extra fields only on entries whose size or header offset reaches 4 GiB, and zip64 end records
 * always. Entries are streamed at the channel's position.
 */
final class TorchZipRecords {
  static final int ALIGNMENT = 64;
  private static final long U32_MAX = 0xffffffffL;
  private static final short FLAG_DESCRIPTOR = 0x0008;
  private static final short FLAG_UTF8 = 0x0800;

  private final FileChannel ch;
  private final String prefix;
  private final ByteArrayOutputStream central = new ByteArrayOutputStream();
  private long count;

  /** {@code prefix} is the archive folder, e.g. {@code "sparse_linear/"}. */
  TorchZipRecords(FileChannel ch, String prefix) {
    this.ch = ch;
    this.prefix = prefix;
  }

  void add(String name, ByteBuffer data) throws IOException {
    byte[] fullName = (prefix + name).getBytes(StandardCharsets.UTF_8);
    long offset = ch.position();
    long size = data.remaining();
    boolean bigSize = size >= U32_MAX;
    boolean bigOffset = offset >= U32_MAX;
    // miniz writes the local zip64 field before the data is written, while its compressed size is still 0
    byte[] localZip64 = zip64Extra(bigSize ? size : -1, bigSize ? 0 : -1, bigOffset ? offset : -1);
    long dataStart = offset + 30 + fullName.length + localZip64.length + 4;
    int padding = (int) ((ALIGNMENT - dataStart % ALIGNMENT) % ALIGNMENT);
    short flags = (short) (size > 0 ? FLAG_DESCRIPTOR | FLAG_UTF8 : FLAG_UTF8);

    ByteBuffer local = le(30 + fullName.length + localZip64.length + 4 + padding);
    local.putInt(0x04034b50).putShort((short) 0).putShort(flags).putShort((short) 0) // version, flags, stored
        .putInt(0).putInt(0).putInt(0).putInt(0) // DOS time+date, CRC, sizes: all in the descriptor
        .putShort((short) fullName.length).putShort((short) (localZip64.length + 4 + padding))
        .put(fullName).put(localZip64)
        .put((byte) 'F').put((byte) 'B').putShort((short) padding);
    while (local.hasRemaining()) {
      local.put((byte) 'Z');
    }
    Channels.writeFully(ch, local.flip());

    CRC32 crc = new CRC32();
    crc.update(data.duplicate());
    Channels.writeFully(ch, data.duplicate());
    boolean zip64 = localZip64.length > 0;
    if (size > 0) {
      ByteBuffer descriptor = le(zip64 ? 24 : 16).putInt(0x08074b50).putInt((int) crc.getValue());
      if (zip64) {
        descriptor.putLong(size).putLong(size);
      } else {
        descriptor.putInt((int) size).putInt((int) size);
      }
      Channels.writeFully(ch, descriptor.flip());
    }

    byte[] centralZip64 = zip64 ? zip64Extra(bigSize ? size : -1, bigSize ? size : -1, bigOffset ? offset : -1) : new byte[0];
    ByteBuffer c = le(46 + fullName.length + centralZip64.length);
    c.putInt(0x02014b50).putShort((short) 0).putShort((short) 0).putShort(flags).putShort((short) 0)
        .putInt(0).putInt((int) crc.getValue())
        .putInt((int) Math.min(size, U32_MAX)).putInt((int) Math.min(size, U32_MAX))
        .putShort((short) fullName.length).putShort((short) centralZip64.length).putShort((short) 0)
        .putShort((short) 0).putShort((short) 0).putInt(0) // disk, internal and external attributes
        .putInt((int) Math.min(offset, U32_MAX)).put(fullName).put(centralZip64);
    central.write(c.array(), 0, c.position());
    count++;
  }

  /** Central directory, zip64 end record and locator, end record. */
  void finish() throws IOException {
    long cdOffset = ch.position();
    long cdSize = central.size();
    Channels.writeFully(ch, ByteBuffer.wrap(central.toByteArray()));
    long z64Offset = ch.position();
    ByteBuffer end = le(56 + 20 + 22);
    end.putInt(0x06064b50).putLong(44).putShort((short) 0x031e).putShort((short) 0x002d).putInt(0).putInt(0)
        .putLong(count).putLong(count).putLong(cdSize).putLong(cdOffset);
    end.putInt(0x07064b50).putInt(0).putLong(z64Offset).putInt(1);
    end.putInt(0x06054b50).putShort((short) 0).putShort((short) 0)
        .putShort((short) Math.min(count, 0xffff)).putShort((short) Math.min(count, 0xffff))
        .putInt((int) Math.min(cdSize, U32_MAX)).putInt((int) Math.min(cdOffset, U32_MAX)).putShort((short) 0);
    Channels.writeFully(ch, end.flip());
  }

  /** The zip64 extended-information field with the values that are not negative, or nothing if none is. */
  private static byte[] zip64Extra(long uncompressed, long compressed, long offset) {
    ByteBuffer b = le(4 + 24).putShort((short) 0x0001).putShort((short) 0);
    for (long v : new long[] {uncompressed, compressed, offset}) {
      if (v >= 0) {
        b.putLong(v);
      }
    }
    if (b.position() == 4) {
      return new byte[0];
    }
    b.putShort(2, (short) (b.position() - 4));
    byte[] out = new byte[b.position()];
    b.get(0, out);
    return out;
  }

  private static ByteBuffer le(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
  }
}
