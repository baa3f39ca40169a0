package io.m3spark.sources;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Local copies of remote model folders. An entry is named by the folder's name and a hash of its URI and every file's
 * path, size and modification time, so an unchanged folder is copied once and a changed file gives a new entry. A copy
 * is made in a temporary folder and renamed into place, so an entry that exists is complete; a lock per entry keeps two
 * executors on one host from copying it twice.
 */
public final class HadoopFolderCache {
  private static final Logger LOG = LoggerFactory.getLogger(HadoopFolderCache.class);

  private final Path cacheDir;

  private record RemoteFile(String relativePath, LocatedFileStatus status) {}

  public HadoopFolderCache(Path cacheDir) {
    this.cacheDir = cacheDir;
  }

  /** The local copy of the folder {@code remote}, copied now unless an up-to-date copy exists. */
  @SuppressWarnings("try") // the resource is held for its scope, not used
  public Path localCopy(org.apache.hadoop.fs.Path remote, Configuration conf) throws IOException {
    FileSystem fs = remote.getFileSystem(conf);
    FileStatus root = fs.getFileStatus(remote); // FileNotFoundException names the path
    if (!root.isDirectory()) {
      throw new NotDirectoryException(remote + " is a file; a model is a folder (config.json, weights, tokenizer)");
    }
    List<RemoteFile> files = list(fs, root.getPath());
    Path entry = cacheDir.resolve(root.getPath().getName() + "-" + cacheKey(root.getPath().toString(), files));
    if (Files.isDirectory(entry)) {
      return entry;
    }
    try (CacheLock lock = CacheLock.acquire(cacheDir.resolve(".locks").resolve(entry.getFileName() + ".lock"))) {
      if (Files.isDirectory(entry)) { // another process copied it while we waited
        return entry;
      }
      copy(fs, root.getPath(), files, entry);
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

  private void copy(FileSystem fs, org.apache.hadoop.fs.Path root, List<RemoteFile> files, Path entry) throws IOException {
    long bytes = files.stream().mapToLong(f -> f.status().getLen()).sum();
    LOG.info("Copying {} ({} files, {} bytes) to {}", root, files.size(), bytes, entry);
    Files.createDirectories(cacheDir);
    Path tmp = Files.createTempDirectory(cacheDir, "." + entry.getFileName() + ".tmp-");
    try {
      for (RemoteFile f : files) {
        Path target = tmp.resolve(f.relativePath());
        Files.createDirectories(target.getParent());
        try (InputStream in = fs.open(f.status().getPath())) {
          Files.copy(in, target);
        }
        if (Files.size(target) != f.status().getLen()) {
          throw new IOException(f.status().getPath() + " changed while it was being copied (" + f.status().getLen()
              + " bytes listed, " + Files.size(target) + " read); run again");
        }
      }
      Files.move(tmp, entry, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      deleteRecursively(tmp);
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
