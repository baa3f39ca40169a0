package io.m3spark.jobs.embed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The files behind {@code --input}: the file itself, or every {@code *.jsonl}, {@code *.json} and {@code *.parquet} directly
 * inside a folder, sorted by name so that the input order (and so the output order) does not depend on the file system.
 * Paths go through Hadoop's FileSystem, so local paths, {@code file://}, {@code hdfs://} and {@code s3a://} all work.
 */
public final class InputFiles {

  public enum Format { JSONL, PARQUET }

  /** One input file; {@code index} is its place in the input order. */
  public record InputFile(int index, String path, Format format) {}

  private InputFiles() {}

  public static List<InputFile> resolve(String input, Configuration hadoopConf) {
    try {
      Path path = new Path(input);
      FileSystem fs = path.getFileSystem(hadoopConf);
      if (!fs.exists(path)) {
        throw new IllegalArgumentException("--input " + input + " does not exist");
      }
      FileStatus status = fs.getFileStatus(path);
      List<FileStatus> files = new ArrayList<>();
      if (status.isDirectory()) {
        for (FileStatus child : fs.listStatus(path)) {
          if (child.isFile() && formatOf(child.getPath().getName()) != null) {
            files.add(child);
          }
        }
        files.sort(Comparator.comparing(f -> f.getPath().getName()));
        if (files.isEmpty()) {
          throw new IllegalArgumentException("--input folder " + input + " has no *.jsonl, *.json or *.parquet files");
        }
      } else {
        if (formatOf(path.getName()) == null) {
          throw new IllegalArgumentException("--input " + input + ": expected a .jsonl, .json or .parquet file");
        }
        files.add(status);
      }
      List<InputFile> result = new ArrayList<>();
      for (FileStatus f : files) {
        result.add(new InputFile(result.size(), f.getPath().toString(), formatOf(f.getPath().getName())));
      }
      return result;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list --input " + input, e);
    }
  }

  private static Format formatOf(String name) {
    String lower = name.toLowerCase(java.util.Locale.ROOT);
    if (lower.endsWith(".jsonl") || lower.endsWith(".json")) {
      return Format.JSONL;
    }
    return lower.endsWith(".parquet") ? Format.PARQUET : null;
  }
}
