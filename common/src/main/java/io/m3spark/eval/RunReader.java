package io.m3spark.eval;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Streams a run query by query, so a run of millions of lines is never held whole. Every reader reports bad input as
 * an {@link EvalInputException} naming file, line and field.
 */
public interface RunReader extends Closeable {
  /** The next query's hits, or {@code null} at the end of the run. */
  QueryRun next() throws IOException;

  /**
   * Opens {@code file} in {@code format}, detecting it from the content for {@link RunFormat#AUTO}; a folder is read as
   * its part files ({@link PartFilesRunReader}).
   */
  static RunReader open(Path file, RunFormat format) throws IOException {
    if (Files.isDirectory(file)) {
      return PartFilesRunReader.open(file, format);
    }
    return switch (RunFormatDetector.resolve(file, format)) {
      case TREC -> new TrecRunReader(file);
      case JSONL -> new SearchJsonlRunReader(file);
      case FLAGEMBEDDING -> new FlagEmbeddingRunReader(file);
      case AUTO -> throw new IllegalStateException("resolve never returns AUTO");
    };
  }
}
