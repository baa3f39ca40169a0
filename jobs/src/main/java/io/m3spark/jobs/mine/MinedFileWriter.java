package io.m3spark.jobs.mine;

import io.m3spark.io.HadoopStore;
import io.m3spark.io.OutputRule;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The mined file and its companions ({@code .report.json}, {@code .report.md}, {@code .quarantine.jsonl}), each written
 * whole ({@link HadoopStore#write}: a temporary sibling renamed when complete, synced), on any Hadoop file system. The
 * mined file is one JSONL file, as FlagEmbedding writes it, streamed from the driver one partition at a time. The
 * companions of an earlier run are deleted before the new mined file is published, so a rerun never leaves an old
 * report or quarantine beside the new file.
 */
final class MinedFileWriter {
  static final String REPORT_JSON = ".report.json";
  static final String REPORT_MD = ".report.md";
  static final String QUARANTINE = ".quarantine.jsonl";
  private static final List<String> COMPANIONS = List.of(REPORT_JSON, REPORT_MD, QUARANTINE);

  private final HadoopStore store;
  private final FileSystem fs;
  private final Path output;
  private final boolean overwrite;

  private MinedFileWriter(HadoopStore store, Path output, boolean overwrite) {
    this.store = store;
    this.fs = store.fileSystem();
    this.output = output;
    this.overwrite = overwrite;
  }

  /** Checks the target before any work ({@link OutputRule#check}): an existing output needs {@code overwrite}. */
  static MinedFileWriter prepare(OutputRule rule, boolean overwrite, Configuration conf) {
    rule.check(overwrite, "--overwrite", conf);
    try {
      Path path = new Path(rule.location());
      HadoopStore store = HadoopStore.of(path, conf);
      return new MinedFileWriter(store, store.fileSystem().makeQualified(path), overwrite);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check " + rule.flag() + " " + rule.location(), e);
    }
  }

  Path output() {
    return output;
  }

  /** Writes {@code lines} to the output file itself, after deleting the companions of an earlier run. */
  void writeOutput(Iterator<String> lines) throws IOException {
    if (!overwrite && fs.exists(output)) {
      throw new IOException(output + " appeared while the job ran; pass --overwrite to replace it");
    }
    for (String suffix : COMPANIONS) {
      fs.delete(companion(suffix), false);
    }
    write(output, lines);
  }

  /** Writes {@code lines} to {@code <output><suffix>}. */
  void writeCompanion(String suffix, Iterator<String> lines) throws IOException {
    write(companion(suffix), lines);
  }

  private Path companion(String suffix) {
    return new Path(output.getParent(), output.getName() + suffix);
  }

  private void write(Path target, Iterator<String> lines) throws IOException {
    store.write(target, stream -> {
      Writer out = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), 1 << 20);
      while (lines.hasNext()) {
        out.write(lines.next());
        out.write('\n');
      }
      out.flush();
    });
  }
}
