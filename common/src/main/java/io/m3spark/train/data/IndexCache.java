package io.m3spark.train.data;

import io.m3spark.io.AtomicFiles;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code --cache_path} means for us (FlagEmbedding's is the HF datasets cache): the validated index of each file,
 * kept under {@code cache_path/m3spark-train-index/}, keyed by the file's absolute path, size and modification time
 * and the options validity depends on, so a restarted job skips the validating pass. Bad lines are kept by offset and
 * re-read, so a lenient load from the cache quarantines and counts exactly what the first load did. A missing,
 * stale or unreadable entry is simply rebuilt; a failed write only costs the next start a pass.
 *
 * <p>An entry is a cache, not a source of truth: one that is truncated, fails its checksum, or holds counts or
 * offsets that its own length or the indexed file cannot hold is rebuilt with a warning naming it, never trusted
 * and never used to size an allocation.
 */
final class IndexCache {
  private static final Logger LOG = LoggerFactory.getLogger(IndexCache.class);
  private static final int MAGIC = 0x4d33_4958; // "M3IX"
  /** 2: a CRC32C of everything before it ends the entry. */
  private static final int VERSION = 2;
  /** An offset and a line number. */
  private static final int RECORD_BYTES = 12;
  /** An offset, a line number and two string lengths. */
  private static final int BAD_LINE_BYTES = 24;

  private final Path dir;
  private final String optionsKey;

  IndexCache(Path cachePath, String optionsKey) {
    this.dir = cachePath.resolve("m3spark-train-index");
    this.optionsKey = optionsKey;
  }

  /** A cached index with the file's bad lines. */
  record Entry(IndexedFile index, List<FileIndexer.BadLine> bad) {}

  /**
   * The entry for {@code file} as it is now, or null when there is none or it does not verify: its checksum, counts
   * that fit the entry's length, and offsets that rise within {@code file} are all checked before anything is trusted
   * or sized by them, so a corrupt or tampered entry is rebuilt (with a warning) rather than believed.
   */
  Entry read(Path file) throws IOException {
    Path entry = entryFor(file);
    try (CheckedInputStream checked = new CheckedInputStream(
        new BufferedInputStream(Files.newInputStream(entry), 1 << 16), new CRC32C());
        DataInputStream in = new DataInputStream(checked)) {
      long entryLength = Files.size(entry);
      long dataLength = Files.size(file);
      if (in.readInt() != MAGIC || in.readInt() != VERSION || !readString(in, entryLength).equals(identity(file))) {
        return null;
      }
      boolean teacher = in.readBoolean();
      String settings = in.readBoolean() ? readString(in, entryLength) : null;
      int n = count(in, "record", RECORD_BYTES, entryLength, dataLength);
      long[] offsets = new long[n];
      int[] lines = new int[n];
      for (int i = 0; i < n; i++) {
        offsets[i] = in.readLong();
        lines[i] = in.readInt();
        if (offsets[i] < (i == 0 ? 0 : offsets[i - 1] + 1) || offsets[i] >= dataLength
            || lines[i] < (i == 0 ? 1 : lines[i - 1] + 1)) {
          throw new IOException("record " + i + " at offset " + offsets[i] + ", line " + lines[i]
              + " does not follow the one before within the file's " + dataLength + " bytes");
        }
      }
      int badCount = count(in, "bad line", BAD_LINE_BYTES, entryLength, dataLength);
      List<FileIndexer.BadLine> bad = new ArrayList<>(badCount);
      for (int i = 0; i < badCount; i++) {
        FileIndexer.BadLine b = new FileIndexer.BadLine(in.readLong(), in.readLong(), readString(in, entryLength),
            readString(in, entryLength));
        if (b.offset() < 0 || b.offset() >= dataLength || b.line() < 1) {
          throw new IOException("bad line " + i + " at offset " + b.offset() + ", line " + b.line()
              + " is not within the file's " + dataLength + " bytes");
        }
        bad.add(b);
      }
      long sum = checked.getChecksum().getValue();
      if (in.readLong() != sum || in.read() != -1) {
        throw new IOException("its checksum does not match its contents");
      }
      return new Entry(new IndexedFile(file, dataLength, Files.getLastModifiedTime(file).toMillis(), offsets,
          lines, settings, teacher), bad);
    } catch (NoSuchFileException e) {
      return null;
    } catch (EOFException e) {
      LOG.warn("{}: index cache entry {} is truncated, validating the file again", file, entry);
      return null;
    } catch (IOException | RuntimeException e) {
      LOG.warn("{}: index cache entry {} does not verify, validating the file again: {}", file, entry,
          e.getMessage() == null ? e.toString() : e.getMessage());
      return null;
    }
  }

  void write(Entry e) {
    IndexedFile f = e.index();
    try {
      Files.createDirectories(dir);
      AtomicFiles.write(entryFor(f.path()), ch -> {
        BufferedOutputStream raw = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
        CRC32C checksum = new CRC32C();
        DataOutputStream out = new DataOutputStream(new CheckedOutputStream(raw, checksum));
        out.writeInt(MAGIC);
        out.writeInt(VERSION);
        writeString(out, identity(f.path(), f.length(), f.modified()));
        out.writeBoolean(f.teacher());
        out.writeBoolean(f.settingsJson() != null);
        if (f.settingsJson() != null) {
          writeString(out, f.settingsJson());
        }
        out.writeInt(f.size());
        for (int i = 0; i < f.size(); i++) {
          out.writeLong(f.offset(i));
          out.writeInt(f.line(i));
        }
        out.writeInt(e.bad().size());
        for (FileIndexer.BadLine b : e.bad()) {
          out.writeLong(b.offset());
          out.writeLong(b.line());
          writeString(out, b.field());
          writeString(out, b.reason());
        }
        out.flush();
        new DataOutputStream(raw).writeLong(checksum.getValue());
        raw.flush(); // not closed: AtomicFiles syncs and closes the channel
      });
    } catch (IOException ex) {
      LOG.warn("{}: cannot write the index cache under {}: {}", f.path(), dir, ex.toString());
    }
  }

  private Path entryFor(Path file) throws IOException {
    return dir.resolve(sha256(file.toAbsolutePath().normalize() + "\n" + optionsKey) + ".idx");
  }

  private String identity(Path file) throws IOException {
    return identity(file, Files.size(file), Files.getLastModifiedTime(file).toMillis());
  }

  private String identity(Path file, long size, long modified) {
    return file.toAbsolutePath().normalize() + "\n" + size + "\n" + modified + "\n" + optionsKey;
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  /**
   * A count of items that take {@code itemBytes} each of the entry's {@code entryLength} bytes and start at distinct
   * offsets of the indexed file's {@code dataLength}: checked before it sizes anything.
   */
  private static int count(DataInputStream in, String what, int itemBytes, long entryLength, long dataLength)
      throws IOException {
    int n = in.readInt();
    if (n < 0 || (long) n * itemBytes > entryLength || n > dataLength) {
      throw new IOException(n + " " + what + "s cannot fit an entry of " + entryLength + " bytes indexing "
          + dataLength + " bytes");
    }
    return n;
  }

  private static String readString(DataInputStream in, long entryLength) throws IOException {
    int length = in.readInt();
    if (length < 0 || length > entryLength) {
      throw new IOException("a string of " + length + " bytes cannot fit an entry of " + entryLength + " bytes");
    }
    return new String(in.readNBytes(length), StandardCharsets.UTF_8);
  }
}
