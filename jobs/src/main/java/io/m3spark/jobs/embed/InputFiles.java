package io.m3spark.jobs.embed;

import io.m3spark.io.FolderListing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;

/**
 * The files behind {@code --input}: the file itself, or every {@code *.jsonl}, {@code *.json} and {@code *.parquet} directly
 * inside a folder, sorted by name so that the input order (and so the output order) does not depend on the file system.
 * Which folder entries are read follows {@link FolderListing} (hidden names, sub-folders and other extensions are
 * skipped, and logged). JSONL may be compressed with any codec Hadoop knows by its extension ({@code .jsonl.gz},
 * {@code .jsonl.bz2}, …): Hadoop's line reader decompresses it, and line numbers count the decompressed lines. Paths go
 * through Hadoop's FileSystem, so local paths, {@code file://}, {@code hdfs://} and {@code s3a://} all work.
 */
public final class InputFiles {

  public enum Format { JSONL, PARQUET }

  /** One input file; {@code index} is its place in the input order. */
  public record InputFile(int index, String path, Format format) {}

  private static final String EXPECTED = ".jsonl, .json or .parquet (JSONL may be compressed, e.g. .jsonl.gz)";

  private InputFiles() {}

  public static List<InputFile> resolve(String input, Configuration hadoopConf) {
    try {
      Path path = new Path(input);
      FileSystem fs = path.getFileSystem(hadoopConf);
      if (!fs.exists(path)) {
        throw new IllegalArgumentException("--input " + input + " does not exist");
      }
      CompressionCodecFactory codecs = new CompressionCodecFactory(hadoopConf);
      FileStatus status = fs.getFileStatus(path);
      List<FileStatus> files = new ArrayList<>();
      if (status.isDirectory()) {
        FileStatus[] children = fs.listStatus(path);
        Arrays.sort(children, Comparator.comparing(f -> f.getPath().getName()));
        FolderListing listing = new FolderListing(input);
        for (FileStatus child : children) {
          String name = child.getPath().getName();
          if (listing.accept(name, child.isDirectory(), formatOf(child.getPath(), codecs) != null, EXPECTED)) {
            files.add(child);
          }
        }
        listing.logSkipped();
        if (files.isEmpty()) {
          throw new IllegalArgumentException("--input folder " + input + " has no " + EXPECTED + " files"
              + (listing.skipped().isEmpty() ? "" : "; skipped: " + String.join(", ", listing.skipped())));
        }
      } else {
        if (FolderListing.isHidden(path.getName())) {
          throw new IllegalArgumentException("--input " + input + ": Hadoop does not read files whose names start with"
              + " '.' or '_'; rename the file");
        }
        if (formatOf(path, codecs) == null) {
          throw new IllegalArgumentException("--input " + input + ": expected a " + EXPECTED + " file");
        }
        files.add(status);
      }
      List<InputFile> result = new ArrayList<>();
      for (FileStatus f : files) {
        result.add(new InputFile(result.size(), f.getPath().toString(), formatOf(f.getPath(), codecs)));
      }
      return result;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list --input " + input, e);
    }
  }

  /** The format of a file name, seen through a compression suffix; {@code null} when it is not read. */
  private static Format formatOf(Path path, CompressionCodecFactory codecs) {
    String name = path.getName();
    CompressionCodec codec = codecs.getCodec(path);
    String lower = (codec == null ? name : CompressionCodecFactory.removeSuffix(name, codec.getDefaultExtension()))
        .toLowerCase(Locale.ROOT);
    if (lower.endsWith(".jsonl") || lower.endsWith(".json")) {
      return Format.JSONL;
    }
    // Parquet compresses inside the file; a compressed .parquet is not readable by Spark's Parquet source.
    return codec == null && lower.endsWith(".parquet") ? Format.PARQUET : null;
  }
}
