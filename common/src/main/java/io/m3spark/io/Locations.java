package io.m3spark.io;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * How a path flag is read: a URI whose scheme is not {@code file} ({@code hdfs://nn/x}, {@code s3a://bucket/x}, any
 * scheme with an {@code fs.<scheme>.impl}) is for Hadoop's FileSystem API; anything else — a plain path or a
 * {@code file:} URI — is a path on this machine. One-letter schemes are Windows drive letters, not URIs.
 */
public final class Locations {
  private Locations() {}

  /** The Hadoop URI {@code location} names, or empty when it is a local path. */
  public static Optional<URI> hadoopUri(String location) {
    try {
      URI uri = new URI(location);
      String scheme = uri.getScheme();
      return scheme == null || scheme.length() < 2 || scheme.equalsIgnoreCase("file") ? Optional.empty()
          : Optional.of(uri);
    } catch (URISyntaxException e) {
      return Optional.empty(); // not a URI at all: a path with characters a URI may not hold
    }
  }

  /**
   * {@code location} as a local path: a plain path as written (relative stays relative), a {@code file:} URI decoded.
   * For what {@link #hadoopUri} refuses.
   */
  public static Path localPath(String location) {
    return location.regionMatches(true, 0, "file:", 0, 5) ? Path.of(URI.create(location)) : Path.of(location);
  }
}
