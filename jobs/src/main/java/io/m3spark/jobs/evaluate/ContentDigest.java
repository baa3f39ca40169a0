package io.m3spark.jobs.evaluate;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * What a cache key records about an input file: {@code <size>:<sha256 of the bytes>}. The full hash (not size and
 * modification time) because a regenerated file with the same size must not match, and the inputs of an evaluation are
 * read in full anyway; SHA-256 streams at several hundred MB/s, seconds for a corpus of a few GB.
 */
final class ContentDigest {
  private static final int BUFFER = 1 << 20;

  private ContentDigest() {}

  static String of(String file, Configuration conf) {
    Path path = new Path(file);
    try {
      FileSystem fs = path.getFileSystem(conf);
      long size = fs.getFileStatus(path).getLen();
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[BUFFER];
      try (InputStream in = fs.open(path)) {
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
          sha.update(buffer, 0, n);
        }
      }
      return size + ":" + HexFormat.of().formatHex(sha.digest());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
