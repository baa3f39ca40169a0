package io.m3spark.io;

import java.io.IOException;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;

/**
 * Outputs that appear whole or not at all: content goes to a temporary sibling of the target (same folder, so the
 * rename is atomic) and is renamed over the target once complete. A crash or a bad record halfway never leaves a
 * truncated file that a later stage would take for finished. Every rename here is durable ({@link FileSync}): what is
 * renamed is forced to the disk first and its folder after, so a power loss cannot leave a renamed output that is
 * empty or shorter than it looks. Every local write that publishes by rename goes through {@link #moveInto} (or
 * {@link #moveAtomically}).
 *
 * <p>Temporary files and folders are created with the process's default permissions (the umask), not the
 * owner-only permissions of {@link Files#createTempFile}, so the renamed output is readable like any other file.
 */
public final class AtomicFiles {
  private static final SecureRandom RANDOM = new SecureRandom();

  private AtomicFiles() {}

  /** Writes bytes to a channel. */
  @FunctionalInterface
  public interface ChannelBody {
    void write(FileChannel out) throws IOException;
  }

  /** Writes text. */
  @FunctionalInterface
  public interface WriterBody {
    void write(Writer out) throws IOException;
  }

  /** Writes what {@code body} produces to {@code target}, synced to disk before the rename. */
  public static void write(Path target, ChannelBody body) throws IOException {
    Path tmp = tempSibling(target);
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        body.write(ch);
      }
      moveInto(tmp, target);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Writes UTF-8 text that {@code body} produces to {@code target}. */
  public static void writeText(Path target, WriterBody body) throws IOException {
    Path tmp = tempSibling(target);
    try {
      try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
        body.write(w);
      }
      moveInto(tmp, target);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  public static void writeString(Path target, String content) throws IOException {
    writeText(target, w -> w.write(content));
  }

  /** A new empty file next to {@code target} (its folder is created if needed). */
  public static Path tempSibling(Path target) throws IOException {
    Path abs = target.toAbsolutePath();
    Files.createDirectories(abs.getParent());
    while (true) {
      try {
        return Files.createFile(abs.resolveSibling(temporaryName(abs.getFileName().toString(), "tmp")));
      } catch (FileAlreadyExistsException e) {
        // another writer drew the same name: draw again
      }
    }
  }

  /** A new empty folder next to {@code target}, e.g. to assemble a model folder before renaming it into place. */
  public static Path tempSiblingFolder(Path target, String purpose) throws IOException {
    Path abs = target.toAbsolutePath();
    Files.createDirectories(abs.getParent());
    while (true) {
      try {
        return Files.createDirectory(abs.resolveSibling(temporaryName(abs.getFileName().toString(), purpose)));
      } catch (FileAlreadyExistsException e) {
        // another writer drew the same name: draw again
      }
    }
  }

  /**
   * Renames {@code tmp} (a complete file or folder) onto {@code target}, replacing a file there; atomically where the
   * file system can. {@code tmp} is forced to the disk before the rename and both folders after it.
   */
  public static void moveInto(Path tmp, Path target) throws IOException {
    FileSync.tree(tmp);
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
    syncFolders(tmp, target);
  }

  /**
   * As {@link #moveInto}, for callers that must never fall back to a copy: a file system that cannot rename
   * atomically throws {@link AtomicMoveNotSupportedException}; an existing non-empty folder at {@code target} throws
   * {@link java.nio.file.DirectoryNotEmptyException}.
   */
  public static void moveAtomically(Path tmp, Path target) throws IOException {
    FileSync.tree(tmp);
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    syncFolders(tmp, target);
  }

  /** Makes a rename durable: the folder that lost a name and the one that gained it. */
  private static void syncFolders(Path from, Path to) throws IOException {
    Path fromFolder = from.toAbsolutePath().getParent();
    Path toFolder = to.toAbsolutePath().getParent();
    FileSync.directory(toFolder);
    if (!fromFolder.equals(toFolder)) {
      FileSync.directory(fromFolder);
    }
  }

  /**
   * The name of a new hidden sibling of {@code name}: {@code .name.<random>.<purpose>}. Never a name any reader looks
   * for, and hidden from Hadoop's input formats, so a leftover of a killed job is ignored.
   */
  public static String temporaryName(String name, String purpose) {
    return "." + name + "." + Long.toHexString(RANDOM.nextLong() & Long.MAX_VALUE) + "." + purpose;
  }
}
