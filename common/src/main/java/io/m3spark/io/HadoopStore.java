package io.m3spark.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.StreamCapabilities;

/**
 * Writing to a Hadoop FileSystem so that readers see each output whole or not at all, in the way the store allows.
 *
 * <ul>
 *   <li>Where rename is atomic (HDFS, the local file system, and every scheme not listed below), an output is written
 *       under a hidden temporary sibling and renamed into place; an existing one is renamed aside first and deleted
 *       after, so a crash leaves the old output, the new one, or (between the two renames) none — never half of one.
 *   <li>Object stores have no rename (s3a, gs, abfs... copy and delete instead, file by file). Which schemes are object
 *       stores is a Hadoop property, {@value #OBJECT_STORE_SCHEMES} (on Spark:
 *       {@code spark.hadoop.}{@value #OBJECT_STORE_SCHEMES}), a comma-separated list that replaces the default {@value #DEFAULT_OBJECT_STORES}. There a file is
 *       uploaded straight to its name — the store shows an object only once its upload has completed — and a folder
 *       file by file, the file whose presence marks the folder complete last (and deleted first when a folder is
 *       replaced). A store wrongly listed only loses the rename; a store wrongly missing from the list gets a
 *       non-atomic copy, so the default lists every object store Hadoop ships a connector for, ABFS included
 *       (atomic only with a hierarchical namespace).
 * </ul>
 *
 * <p>Durability: every file written here is {@code hsync}ed before it is closed where its stream has that capability
 * (HDFS, the local file system), so its data is on disk before it is renamed into place; on the local file system the
 * folder that received the new name is forced too ({@link FileSync}), and a folder written by other code (Spark's
 * committers) is forced whole before it is renamed. Streams without the capability (object stores) get nothing more:
 * their upload completes on close.
 */
public final class HadoopStore {
  /** The Hadoop property listing the schemes without atomic rename. */
  public static final String OBJECT_STORE_SCHEMES = "m3spark.object-store-schemes";
  static final String DEFAULT_OBJECT_STORES = "s3a,s3,s3n,gs,abfs,abfss,wasb,wasbs,oss,cosn,obs,swift";

  private final FileSystem fs;
  private final boolean atomicRename;

  /** Writes a file's bytes to a stream (which it leaves open). */
  @FunctionalInterface
  public interface StreamBody {
    void write(OutputStream out) throws IOException;
  }

  private HadoopStore(FileSystem fs, boolean atomicRename) {
    this.fs = fs;
    this.atomicRename = atomicRename;
  }

  /** The store {@code path} is on. */
  public static HadoopStore of(Path path, Configuration conf) throws IOException {
    FileSystem fs = path.getFileSystem(conf);
    if (fs instanceof LocalFileSystem) {
      // No .crc side files next to local outputs: the formats carry their own checks and users read these folders.
      fs.setWriteChecksum(false);
    }
    String scheme = fs.getUri().getScheme();
    boolean objectStore = Arrays.stream(conf.get(OBJECT_STORE_SCHEMES, DEFAULT_OBJECT_STORES).split(","))
        .anyMatch(s -> s.trim().equalsIgnoreCase(scheme));
    return new HadoopStore(fs, !objectStore);
  }

  public FileSystem fileSystem() {
    return fs;
  }

  /** False on object stores: outputs are then never renamed, and folders are marked complete by a file written last. */
  public boolean renamesAtomically() {
    return atomicRename;
  }

  /** A fresh hidden name next to {@code target} (nothing is created). */
  public Path temporarySibling(Path target, String purpose) {
    return new Path(target.getParent(), AtomicFiles.temporaryName(target.getName(), purpose));
  }

  /** Renames {@code staged} (a file or folder) onto {@code target}; an existing target is renamed aside, deleted after. */
  public void replace(Path staged, Path target) throws IOException {
    java.nio.file.Path localStaged = onThisMachine(staged);
    if (localStaged != null) {
      FileSync.tree(localStaged);
    }
    if (!fs.exists(target)) {
      rename(staged, target);
    } else {
      Path aside = temporarySibling(target, "old");
      rename(target, aside);
      rename(staged, target);
      fs.delete(aside, true);
    }
    java.nio.file.Path folder = onThisMachine(target.getParent());
    if (folder != null) {
      FileSync.directory(folder);
    }
  }

  /**
   * Writes what {@code body} produces to {@code target}, replacing it, whole: through a temporary sibling renamed into
   * place where rename is atomic, straight to its name on object stores.
   */
  public void write(Path target, StreamBody body) throws IOException {
    if (!atomicRename) {
      create(target, body);
      return;
    }
    Path staged = temporarySibling(target, "tmp");
    try {
      create(staged, body);
      replace(staged, target);
    } catch (IOException | RuntimeException e) {
      deleteQuietly(staged, e);
      throw e;
    }
  }

  /** Uploads the local file {@code local} to {@code target}, replacing it. */
  public void upload(java.nio.file.Path local, Path target) throws IOException {
    write(target, out -> Files.copy(local, out));
  }

  /**
   * Uploads the local folder {@code local} to {@code target}, replacing it. {@code lastFile} (a name relative to the
   * folder, or null) is written after every other file; on object stores its presence is what says the folder is
   * complete, and when an older folder is replaced, it is deleted before anything else.
   */
  public void uploadFolder(java.nio.file.Path local, Path target, String lastFile) throws IOException {
    List<String> files = relativeFiles(local, lastFile);
    if (!atomicRename) {
      if (fs.exists(target)) {
        if (lastFile != null) {
          fs.delete(new Path(target, lastFile), false);
        }
        fs.delete(target, true);
      }
      for (String f : files) {
        copy(local.resolve(f), new Path(target, f));
      }
      return;
    }
    Path staged = temporarySibling(target, "tmp");
    try {
      fs.mkdirs(staged);
      for (String f : files) {
        copy(local.resolve(f), new Path(staged, f));
      }
      replace(staged, target);
    } catch (IOException | RuntimeException e) {
      deleteQuietly(staged, e);
      throw e;
    }
  }

  /**
   * Copies the remote file {@code remote} to the local file {@code local} (replacing it); a length other than the
   * listed one means the file changed while it was read, which is an error rather than a silently mixed copy.
   */
  public static void download(FileSystem fs, FileStatus remote, java.nio.file.Path local) throws IOException {
    Files.createDirectories(local.toAbsolutePath().getParent());
    try (InputStream in = fs.open(remote.getPath())) {
      Files.copy(in, local, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    if (Files.size(local) != remote.getLen()) {
      throw new IOException(remote.getPath() + " changed while it was being copied (" + remote.getLen()
          + " bytes listed, " + Files.size(local) + " read); run again");
    }
  }

  /** The files under {@code folder}, relative, sorted, with {@code last} moved to the end. */
  private static List<String> relativeFiles(java.nio.file.Path folder, String last) throws IOException {
    List<String> files = new ArrayList<>();
    try (Stream<java.nio.file.Path> walk = Files.walk(folder)) {
      for (java.nio.file.Path p : walk.filter(Files::isRegularFile).toList()) {
        files.add(folder.relativize(p).toString().replace(java.io.File.separatorChar, '/'));
      }
    }
    files.sort(Comparator.comparing((String f) -> f.equals(last)).thenComparing(Comparator.naturalOrder()));
    return files;
  }

  private void copy(java.nio.file.Path local, Path target) throws IOException {
    create(target, out -> Files.copy(local, out));
  }

  /** Creates {@code file} (replacing it) with what {@code body} writes, synced to disk where the stream can. */
  private void create(Path file, StreamBody body) throws IOException {
    try (FSDataOutputStream out = fs.create(file, true)) {
      body.write(out);
      if (out.hasCapability(StreamCapabilities.HSYNC)) {
        out.hsync();
      }
    }
  }

  /** {@code p} as a path on this machine when this store is the local file system, else null. */
  private java.nio.file.Path onThisMachine(Path p) {
    if (p == null) {
      return null;
    }
    if (fs instanceof LocalFileSystem local) {
      return local.pathToFile(p).toPath();
    }
    if (fs instanceof RawLocalFileSystem raw) {
      return raw.pathToFile(p).toPath();
    }
    return null;
  }

  private void rename(Path from, Path to) throws IOException {
    if (!fs.rename(from, to)) {
      throw new IOException("cannot rename " + from + " to " + to);
    }
  }

  private void deleteQuietly(Path p, Exception cause) {
    try {
      fs.delete(p, true);
    } catch (IOException e) {
      cause.addSuppressed(e);
    }
  }
}
