package io.m3spark.sources;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
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
    Optional<URI> uri = remoteUri(nameOrPath);
    if (uri.isEmpty()) {
      return Optional.empty();
    }
    Configuration conf = configuration(options);
    if (!knownScheme(uri.get().getScheme(), conf)) {
      return Optional.empty();
    }
    return Optional.of(new HadoopFolderCache(options.copyCacheDir()).localCopy(new org.apache.hadoop.fs.Path(uri.get()), conf));
  }

  @Override
  public String whyNot(String nameOrPath, SourceOptions options) {
    Optional<URI> uri = remoteUri(nameOrPath);
    return uri.isEmpty()
        ? "not a Hadoop URI (no scheme such as hdfs:// or s3a://)"
        : "not a Hadoop URI (no FileSystem for scheme '" + uri.get().getScheme() + "')";
  }

  /** A Configuration from the cluster's *-site.xml files on the classpath plus the caller's extra properties. */
  static Configuration configuration(SourceOptions options) {
    Configuration conf = new Configuration();
    options.hadoopProperties().forEach(conf::set);
    return conf;
  }

  /** A URI with a scheme other than {@code file}; one-letter schemes are Windows drive letters, not URIs. */
  private static Optional<URI> remoteUri(String s) {
    try {
      URI uri = new URI(s);
      String scheme = uri.getScheme();
      return scheme == null || scheme.length() < 2 || scheme.equalsIgnoreCase("file") ? Optional.empty() : Optional.of(uri);
    } catch (URISyntaxException e) {
      return Optional.empty();
    }
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
