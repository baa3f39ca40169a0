package io.m3spark.jobs.embed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * An output folder written all at once: everything goes into a temporary sibling {@code DIR._tmp-<uuid>}, which is renamed
 * to {@code DIR} when complete, so readers never see half an output and a failed run leaves {@code DIR} untouched.
 * The rename is atomic on HDFS and local disks; on object stores (s3a) it is a copy, as with every Hadoop committer.
 * With overwrite, an existing {@code DIR} is deleted just before the rename.
 */
public final class OutputDirectory {
  private final FileSystem fs;
  private final Path target;
  private final Path temporary;
  private final boolean overwrite;

  private OutputDirectory(FileSystem fs, Path target, boolean overwrite) {
    this.fs = fs;
    this.target = target;
    this.temporary = new Path(target.getParent(), target.getName() + "._tmp-" + UUID.randomUUID());
    this.overwrite = overwrite;
  }

  /** Checks the target before any work is done: an existing output is an error unless {@code overwrite}. */
  public static OutputDirectory prepare(String output, boolean overwrite, Configuration conf) {
    try {
      Path target = new Path(output);
      FileSystem fs = target.getFileSystem(conf);
      if (fs instanceof org.apache.hadoop.fs.LocalFileSystem) {
        // No .crc side files next to local outputs: the formats carry their own checks and users read these folders.
        fs.setWriteChecksum(false);
      }
      target = fs.makeQualified(target);
      if (fs.exists(target) && !overwrite) {
        throw new IllegalArgumentException("--output " + output + " already exists; pass --overwrite to replace it");
      }
      if (target.getParent() == null) {
        throw new IllegalArgumentException("--output " + output + " cannot be a file system root");
      }
      return new OutputDirectory(fs, target, overwrite);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check --output " + output, e);
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
    if (fs.exists(target)) {
      if (!overwrite) {
        throw new IOException(target + " appeared while the job ran; the output is left in " + temporary);
      }
      if (!fs.delete(target, true)) {
        throw new IOException("cannot delete the old " + target);
      }
    }
    if (!fs.rename(temporary, target)) {
      throw new IOException("cannot rename " + temporary + " to " + target);
    }
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
