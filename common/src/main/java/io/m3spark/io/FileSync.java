package io.m3spark.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Forcing what was written on this machine to the disk, so that a rename that publishes an output survives a power
 * loss: without it the file system may persist the rename before the data, and a renamed file comes back empty yet
 * looks complete. A file is forced before it is renamed into place ({@link #tree}), and the folder that holds it after
 * ({@link #directory}), which is what makes the new name itself durable.
 *
 * <p>Files are opened for reading to be forced: POSIX {@code fsync} flushes a file whatever its descriptor's mode, so
 * read-only files are forced too. A platform where a folder cannot be opened as a channel (Windows) keeps its folder
 * entries durable by its own means; there {@link #directory} does nothing.
 */
public final class FileSync {
  private FileSync() {}

  /** Forces a regular file's content and metadata to the disk. */
  public static void file(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  /** Forces a folder's entries (names created, renamed or deleted in it) to the disk, where the platform allows. */
  public static void directory(Path dir) throws IOException {
    FileChannel ch;
    try {
      ch = FileChannel.open(dir, StandardOpenOption.READ);
    } catch (IOException e) {
      return; // no channel on a folder on this platform: nothing to force through it
    }
    try (ch) {
      ch.force(true);
    }
  }

  /**
   * Forces {@code root}: a file, or a folder with every file and folder in it (deepest first, so each folder is
   * forced after the files it names). Symbolic links are not followed.
   */
  public static void tree(Path root) throws IOException {
    if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
      if (Files.isRegularFile(root, LinkOption.NOFOLLOW_LINKS)) {
        file(root);
      }
      return;
    }
    List<Path> all;
    try (Stream<Path> walk = Files.walk(root)) {
      all = walk.sorted(Comparator.comparingInt(Path::getNameCount).reversed()).toList();
    }
    for (Path p : all) {
      if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        directory(p);
      } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
        file(p);
      }
    }
  }
}
