package io.m3spark.io;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A UTF-8 text file written through a temporary sibling and renamed into place on {@link #commit()}, so a crash or a
 * bad record halfway never leaves a truncated output that a later stage would take for complete. Closing without
 * committing deletes the temporary file.
 */
public final class AtomicTextFile implements Closeable {
  private final Path target;
  private final Path tmp;
  private final Writer out;
  private boolean committed;

  private AtomicTextFile(Path target) throws IOException {
    this.target = target.toAbsolutePath();
    Files.createDirectories(this.target.getParent());
    this.tmp = Files.createTempFile(this.target.getParent(), "." + this.target.getFileName(), ".tmp");
    this.out = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(tmp), StandardCharsets.UTF_8));
  }

  public static AtomicTextFile create(Path target) throws IOException {
    return new AtomicTextFile(target);
  }

  /** Writes {@code content} to {@code target} atomically in one go. */
  public static void write(Path target, String content) throws IOException {
    try (AtomicTextFile f = create(target)) {
      f.write(content);
      f.commit();
    }
  }

  public void write(String text) throws IOException {
    out.write(text);
  }

  /** Writes {@code line} and a newline. */
  public void writeLine(String line) throws IOException {
    out.write(line);
    out.write('\n');
  }

  /** Flushes and renames the temporary file onto the target, replacing it. */
  public void commit() throws IOException {
    out.close();
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
    committed = true;
  }

  @Override
  public void close() throws IOException {
    if (!committed) {
      out.close();
      Files.deleteIfExists(tmp);
    }
  }
}
