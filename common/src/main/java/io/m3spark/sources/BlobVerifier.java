package io.m3spark.sources;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Checks a downloaded file against what the Hub promised: its size, and its ETag when the ETag is a content hash,
 * which it is for both kinds of files: SHA-256 of the bytes for LFS files (64 hex digits), git's blob SHA-1
 * ({@code sha1("blob <size>\0" + bytes)}, 40 hex digits) for files kept in git.
 */
public final class BlobVerifier {
  private BlobVerifier() {}

  /** Returns normally when {@code file} matches; otherwise says what differs. */
  public static void verify(Path file, HubFile expected) throws IOException {
    long size = Files.size(file);
    if (size != expected.size()) {
      throw new HubException(expected.path() + ": downloaded " + size + " bytes, the Hub announced " + expected.size());
    }
    String etag = expected.etag();
    String actual;
    if (etag.matches("[0-9a-f]{64}")) {
      actual = hash(file, "SHA-256", null);
    } else if (etag.matches("[0-9a-f]{40}")) {
      actual = hash(file, "SHA-1", ("blob " + size + "\0").getBytes(StandardCharsets.US_ASCII));
    } else {
      return; // not a content hash (a proxy's own ETag): the size is all there is to check
    }
    if (!actual.equals(etag)) {
      throw new HubException(expected.path() + ": content hash " + actual + " does not match the Hub's " + etag
          + " (corrupted download, deleted; run again)");
    }
  }

  private static String hash(Path file, String algorithm, byte[] prefix) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has " + algorithm, e);
    }
    if (prefix != null) {
      digest.update(prefix);
    }
    byte[] buf = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buf)) > 0; ) {
        digest.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
