package io.m3spark.jobs.mine;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The mined file and its companions ({@code .report.json}, {@code .report.md}, {@code .quarantine.jsonl}), each written
 * to a temporary sibling and renamed when complete, on any Hadoop file system. The mined file is one JSONL file, as
 * FlagEmbedding writes it, streamed from the driver one partition at a time.
 */
final class MinedFileWriter {
  private final FileSystem fs;
  private final Path output;
  private final boolean overwrite;

  private MinedFileWriter(FileSystem fs, Path output, boolean overwrite) {
    this.fs = fs;
    this.output = output;
    this.overwrite = overwrite;
  }

  /** Checks the target before any work: an existing output is an error unless {@code overwrite}. */
  static MinedFileWriter prepare(String outputFile, boolean overwrite, Configuration conf) {
    try {
      Path path = new Path(outputFile);
      FileSystem fs = path.getFileSystem(conf);
      path = fs.makeQualified(path);
      if (fs.exists(path) && !overwrite) {
        throw new IllegalArgumentException("--output_file " + outputFile + " already exists; pass --overwrite");
      }
      if (fs.exists(path) && fs.getFileStatus(path).isDirectory()) {
        throw new IllegalArgumentException("--output_file " + outputFile + " is a folder");
      }
      return new MinedFileWriter(fs, path, overwrite);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check --output_file " + outputFile, e);
    }
  }

  Path output() {
    return output;
  }

  /** Writes {@code lines} to the output file itself. */
  void writeOutput(Iterator<String> lines) throws IOException {
    write(output, lines, overwrite);
  }

  /** Writes {@code lines} to {@code <output><suffix>}, replacing the companion of an earlier run. */
  void writeCompanion(String suffix, Iterator<String> lines) throws IOException {
    write(new Path(output.getParent(), output.getName() + suffix), lines, true);
  }

  private void write(Path target, Iterator<String> lines, boolean replace) throws IOException {
    Path tmp = new Path(target.getParent(), "." + target.getName() + "._tmp-" + UUID.randomUUID());
    try {
      try (Writer out = new BufferedWriter(new OutputStreamWriter(fs.create(tmp, false), StandardCharsets.UTF_8),
          1 << 20)) {
        while (lines.hasNext()) {
          out.write(lines.next());
          out.write('\n');
        }
      }
      if (fs.exists(target) && (!replace || !fs.delete(target, false))) {
        throw new IOException("cannot replace " + target);
      }
      if (!fs.rename(tmp, target)) {
        throw new IOException("cannot rename " + tmp + " to " + target);
      }
    } finally {
      fs.delete(tmp, false);
    }
  }
}
