package io.m3spark.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.stream.Stream;

/**
 * A run written as a folder of part files — what Spark jobs write, e.g. {@code m3spark search}'s {@code results/} —
 * read as one run: the {@code part-*} files in name order, each in the run's format. The output folder of
 * {@code m3spark search} itself may be given: its {@code results/} folder is read.
 */
final class PartFilesRunReader implements RunReader {
  private final Deque<Path> parts;
  private final RunFormat format;
  private RunReader current;

  private PartFilesRunReader(List<Path> parts, RunFormat format) {
    this.parts = new ArrayDeque<>(parts);
    this.format = format;
  }

  static RunReader open(Path folder, RunFormat format) throws IOException {
    Path results = folder.resolve("results");
    List<Path> parts = parts(Files.isDirectory(results) ? results : folder);
    if (parts.isEmpty()) {
      throw new EvalInputException(folder, "a folder run needs part-* files (or a results/ folder of them); found none");
    }
    return new PartFilesRunReader(parts, RunFormatDetector.resolve(parts.get(0), format));
  }

  private static List<Path> parts(Path folder) throws IOException {
    try (Stream<Path> s = Files.list(folder)) {
      return s.filter(p -> p.getFileName().toString().startsWith("part-") && Files.isRegularFile(p)).sorted().toList();
    }
  }

  @Override
  public QueryRun next() throws IOException {
    while (true) {
      if (current == null) {
        if (parts.isEmpty()) {
          return null;
        }
        current = RunReader.open(parts.poll(), format);
      }
      QueryRun run = current.next();
      if (run != null) {
        return run;
      }
      current.close();
      current = null;
    }
  }

  @Override
  public void close() throws IOException {
    if (current != null) {
      current.close();
    }
  }
}
