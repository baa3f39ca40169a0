package io.m3spark.jobs.embed;

import io.m3spark.io.HadoopStore;
import io.m3spark.io.OutputRule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * An output folder written all at once: everything goes into a temporary sibling {@code DIR._tmp-<uuid>}, which is renamed
 * to {@code DIR} when complete ({@link HadoopStore#replace}), so readers never see half an output and a failed run
 * leaves {@code DIR} untouched. The rename is atomic on HDFS and local disks; on object stores (s3a) it is a copy, as
 * with every Hadoop committer. With overwrite, an existing {@code DIR} is renamed aside just before the rename and
 * deleted after: only when it is an earlier output of ours and holds no input ({@link OutputRule}).
 */
public final class OutputDirectory {
  private final HadoopStore store;
  private final FileSystem fs;
  private final Path target;
  private final Path temporary;
  private final boolean overwrite;

  private OutputDirectory(HadoopStore store, Path target, boolean overwrite) {
    this.store = store;
    this.fs = store.fileSystem();
    this.target = target;
    this.temporary = new Path(target.getParent(), target.getName() + "._tmp-" + UUID.randomUUID());
    this.overwrite = overwrite;
  }

  /**
   * Checks the target before any work is done ({@link OutputRule#check}): an existing output is an error unless
   * {@code overwrite}, and replaced only when it is one of ours.
   */
  public static OutputDirectory prepare(OutputRule rule, boolean overwrite, Configuration conf) {
    String output = rule.location();
    try {
      Path target = new Path(output);
      HadoopStore store = HadoopStore.of(target, conf);
      FileSystem fs = store.fileSystem();
      target = fs.makeQualified(target);
      if (target.getParent() == null) {
        throw new IllegalArgumentException(rule.flag() + " " + output + " cannot be a file system root");
      }
      rule.check(overwrite, "--overwrite", conf);
      return new OutputDirectory(store, target, overwrite);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check " + rule.flag() + " " + output, e);
    }
  }

  public FileSystem fileSystem() {
    return fs;
  }

  public Path target() {
    return target;
  }

  /** Where to write now: {@code name} inside the temporary folder. */
  public Path staged(String name) {
    return new Path(temporary, name);
  }

  public void createStaging() throws IOException {
    if (!fs.mkdirs(temporary)) {
      throw new IOException("cannot create " + temporary);
    }
  }

  public void commit() throws IOException {
    if (fs.exists(target) && !overwrite) {
      throw new IOException(target + " appeared while the job ran; the output is left in " + temporary);
    }
    store.replace(temporary, target);
  }

  /** Removes the temporary folder after a failure; the target is untouched. */
  public void abort() {
    try {
      fs.delete(temporary, true);
    } catch (IOException ignored) {
      // best effort: the folder's name says it is a leftover
    }
  }
}
