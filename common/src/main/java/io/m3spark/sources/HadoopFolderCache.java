package io.m3spark.sources;

import io.m3spark.io.AtomicFiles;
import io.m3spark.io.HadoopStore;
import io.m3spark.io.Locations;
import io.m3spark.io.Trees;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Local copies of remote files and folders: model folders, and a training run's data and the checkpoint it resumes
 * from. An entry is named by the remote's name and a hash of its URI and every file's path, size and modification
 * time, so an unchanged remote is copied once per host and a changed file gives a new entry. A copy is made in a
 * temporary folder and renamed into place, so an entry that exists is complete; a lock per entry keeps two executors
 * on one host from copying it twice.
 */
public final class HadoopFolderCache {
  private static final Logger LOG = LoggerFactory.getLogger(HadoopFolderCache.class);

  private final Path cacheDir;

  /** A remote file, by its path relative to the copied root ({@code ""} when the root is this file). */
  private record RemoteFile(String relativePath, FileStatus status) {}

  public HadoopFolderCache(Path cacheDir) {
    this.cacheDir = cacheDir;
  }

  /** The local copy of the folder {@code remote} (the entry is the copy), made now unless an up-to-date one exists. */
  public Path localCopy(org.apache.hadoop.fs.Path remote, Configuration conf) throws IOException {
    FileSystem fs = remote.getFileSystem(conf);
    FileStatus root = fs.getFileStatus(remote); // FileNotFoundException names the path
    if (!root.isDirectory()) {
      throw new NotDirectoryException(remote + " is a file; a model is a folder (config.json, weights, tokenizer)");
    }
    return entry(fs, root, "");
  }

  /**
   * A local path for {@code location}: a local path or {@code file:} URI as it is; a Hadoop URI's file or folder
   * copied into this cache under its own name ({@code <entry>/<name>}), since names carry meaning where the copy is
   * read (training files' {@code .jsonl}, {@code no_in_batch_neg} markers, {@code checkpoint-N}).
   */
  public Path localPath(String location, Configuration conf) throws IOException {
    Optional<URI> uri = Locations.hadoopUri(location);
    if (uri.isEmpty()) {
      return Locations.localPath(location);
    }
    org.apache.hadoop.fs.Path remote = new org.apache.hadoop.fs.Path(uri.get());
    FileSystem fs = remote.getFileSystem(conf);
    FileStatus root = fs.getFileStatus(remote);
    String name = root.getPath().getName();
    return entry(fs, root, name).resolve(name);
  }

  /** The entry holding a copy of {@code root} under {@code inside} ({@code ""}: the entry is the copy). */
  @SuppressWarnings("try") // the resource is held for its scope, not used
  private Path entry(FileSystem fs, FileStatus root, String inside) throws IOException {
    List<RemoteFile> files = root.isDirectory() ? list(fs, root.getPath()) : List.of(new RemoteFile("", root));
    String key = cacheKey(root.getPath() + (inside.isEmpty() ? "" : "\0named"), files);
    Path entry = cacheDir.resolve(root.getPath().getName() + "-" + key);
    if (Files.isDirectory(entry)) {
      return entry;
    }
    try (CacheLock lock = CacheLock.acquire(cacheDir.resolve(".locks").resolve(entry.getFileName() + ".lock"))) {
      if (Files.isDirectory(entry)) { // another process copied it while we waited
        return entry;
      }
      copy(fs, root, files, entry, inside);
    }
    return entry;
  }

  private static List<RemoteFile> list(FileSystem fs, org.apache.hadoop.fs.Path root) throws IOException {
    String rootPath = root.toUri().getPath();
    List<RemoteFile> files = new ArrayList<>();
    RemoteIterator<LocatedFileStatus> it = fs.listFiles(root, true);
    while (it.hasNext()) {
      LocatedFileStatus status = it.next();
      String path = status.getPath().toUri().getPath();
      if (!path.startsWith(rootPath + "/")) {
        throw new IOException("listing " + root + " returned " + status.getPath() + ", which is outside it");
      }
      files.add(new RemoteFile(path.substring(rootPath.length() + 1), status));
    }
    files.sort(Comparator.comparing(RemoteFile::relativePath));
    return files;
  }

  /** 16 hex digits of SHA-256 over the URI and each file's path, size and modification time. */
  private static String cacheKey(String uri, List<RemoteFile> files) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(uri.getBytes(StandardCharsets.UTF_8));
      for (RemoteFile f : files) {
        String line = "\n" + f.relativePath() + "\0" + f.status().getLen() + "\0" + f.status().getModificationTime();
        sha.update(line.getBytes(StandardCharsets.UTF_8));
      }
      return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  private void copy(FileSystem fs, FileStatus root, List<RemoteFile> files, Path entry, String inside)
      throws IOException {
    long bytes = files.stream().mapToLong(f -> f.status().getLen()).sum();
    LOG.info("Copying {} ({} files, {} bytes) to {}", root.getPath(), files.size(), bytes, entry.resolve(inside));
    Files.createDirectories(cacheDir);
    Path tmp = Files.createTempDirectory(cacheDir, "." + entry.getFileName() + ".tmp-");
    try {
      Path copy = tmp.resolve(inside);
      if (root.isDirectory()) {
        Files.createDirectories(copy); // an empty folder is copied as one
      }
      for (RemoteFile f : files) {
        HadoopStore.download(fs, f.status(), f.relativePath().isEmpty() ? copy : copy.resolve(f.relativePath()));
      }
      AtomicFiles.moveAtomically(tmp, entry);
    } finally {
      Trees.delete(tmp);
    }
  }
}
