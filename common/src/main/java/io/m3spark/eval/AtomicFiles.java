package io.m3spark.eval;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes report files so that readers never see half a file: write a temporary file next to the target, then rename
 * it over the target.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** Writes the content {@code body} produces to {@code target}, all or nothing. */
  public static void write(Path target, WriterBody body) throws IOException {
    Path tmp = tempFor(target);
    try {
      try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
        body.writeTo(w);
      }
      moveInto(tmp, target);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  public static void writeString(Path target, String content) throws IOException {
    write(target, w -> w.write(content));
  }

  /** A fresh temporary file in the target's directory (same file system, so the rename is atomic). */
  static Path tempFor(Path target) throws IOException {
    Path abs = target.toAbsolutePath();
    Files.createDirectories(abs.getParent());
    return Files.createTempFile(abs.getParent(), "." + abs.getFileName(), ".tmp");
  }

  static void moveInto(Path tmp, Path target) throws IOException {
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Writes a file's content. */
  @FunctionalInterface
  public interface WriterBody {
    void writeTo(Writer w) throws IOException;
  }
}
