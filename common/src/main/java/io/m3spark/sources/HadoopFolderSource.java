package io.m3spark.sources;

import io.m3spark.io.Locations;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

/**
 * A model folder on any filesystem Hadoop knows ({@code hdfs://}, {@code s3a://}, {@code abfs://}, {@code gs://}, or
 * one registered with {@code fs.<scheme>.impl}), copied to a local cache by {@link HadoopFolderCache}. {@code file:}
 * URIs are left to {@link LocalFolderSource}, which reads them in place.
 */
public final class HadoopFolderSource implements ModelSource {

  @Override
  public Optional<Path> resolve(String nameOrPath, SourceOptions options) throws IOException {
    Optional<URI> uri = Locations.hadoopUri(nameOrPath);
    if (uri.isEmpty()) {
      return Optional.empty();
    }
    Configuration conf = options.hadoopConfiguration();
    if (!knownScheme(uri.get().getScheme(), conf)) {
      return Optional.empty();
    }
    return Optional.of(new HadoopFolderCache(options.copyCacheDir()).localCopy(new org.apache.hadoop.fs.Path(uri.get()), conf));
  }

  @Override
  public String whyNot(String nameOrPath, SourceOptions options) {
    Optional<URI> uri = Locations.hadoopUri(nameOrPath);
    return uri.isEmpty()
        ? "not a Hadoop URI (no scheme such as hdfs:// or s3a://)"
        : "not a Hadoop URI (no FileSystem for scheme '" + uri.get().getScheme() + "')";
  }

  private static boolean knownScheme(String scheme, Configuration conf) {
    try {
      FileSystem.getFileSystemClass(scheme, conf);
      return true;
    } catch (IOException e) { // UnsupportedFileSystemException: "No FileSystem for scheme"
      return false;
    }
  }
}
