package io.m3spark.train.data;

import io.m3spark.io.AtomicFiles;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code --cache_path} means for us (FlagEmbedding's is the HF datasets cache): the validated index of each file,
 * kept under {@code cache_path/m3spark-train-index/}, keyed by the file's absolute path, size and modification time
 * and the options validity depends on, so a restarted job skips the validating pass. Bad lines are kept by offset and
 * re-read, so a lenient load from the cache quarantines and counts exactly what the first load did. A missing,
 * stale or unreadable entry is simply rebuilt; a failed write only costs the next start a pass.
 */
final class IndexCache {
  private static final Logger LOG = LoggerFactory.getLogger(IndexCache.class);
  private static final int MAGIC = 0x4d33_4958; // "M3IX"
  private static final int VERSION = 1;

  private final Path dir;
  private final String optionsKey;

  IndexCache(Path cachePath, String optionsKey) {
    this.dir = cachePath.resolve("m3spark-train-index");
    this.optionsKey = optionsKey;
  }

  /** A cached index with the file's bad lines. */
  record Entry(IndexedFile index, List<FileIndexer.BadLine> bad) {}

  /** The entry for {@code file} as it is now, or null. */
  Entry read(Path file) throws IOException {
    Path entry = entryFor(file);
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(entry)))) {
      if (in.readInt() != MAGIC || in.readInt() != VERSION || !readString(in).equals(identity(file))) {
        return null;
      }
      boolean teacher = in.readBoolean();
      String settings = in.readBoolean() ? readString(in) : null;
      int n = in.readInt();
      long[] offsets = new long[n];
      int[] lines = new int[n];
      for (int i = 0; i < n; i++) {
        offsets[i] = in.readLong();
        lines[i] = in.readInt();
      }
      int badCount = in.readInt();
      List<FileIndexer.BadLine> bad = new ArrayList<>(badCount);
      for (int i = 0; i < badCount; i++) {
        bad.add(new FileIndexer.BadLine(in.readLong(), in.readLong(), readString(in), readString(in)));
      }
      return new Entry(new IndexedFile(file, Files.size(file), Files.getLastModifiedTime(file).toMillis(), offsets,
          lines, settings, teacher), bad);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException | RuntimeException e) {
      LOG.warn("{}: unreadable index cache entry {}, validating again: {}", file, entry, e.toString());
      return null;
    }
  }

  void write(Entry e) {
    IndexedFile f = e.index();
    try {
      Files.createDirectories(dir);
      AtomicFiles.write(entryFor(f.path()), ch -> {
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16));
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
        out.flush(); // not closed: AtomicFiles syncs and closes the channel
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

  private static String readString(DataInputStream in) throws IOException {
    int length = in.readInt();
    if (length < 0 || length > 1 << 28) {
      throw new IOException("corrupt string length " + length);
    }
    return new String(in.readNBytes(length), StandardCharsets.UTF_8);
  }
}
