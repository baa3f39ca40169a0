package io.m3spark.sources;

import io.m3spark.io.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts one file's bytes into {@code blobs/{etag}}. Bytes go to {@code {etag}.incomplete} first, so a dropped
 * connection (or a killed process) leaves a prefix that the next attempt continues with a Range request; the finished
 * file is verified and then renamed into place, so a blob that exists is always complete. A lock per blob makes a
 * second process wait for the first instead of downloading the same bytes into the same file. No more bytes are taken
 * than the Hub announced, and a server that contradicts the announced size (or the range asked for) loses what it sent.
 */
final class BlobDownloader {
  private static final Logger LOG = LoggerFactory.getLogger(BlobDownloader.class);

  private final HubClient client;
  private final int attempts;

  /** {@code attempts}: how many times one call tries (resuming each time) before giving up. */
  BlobDownloader(HubClient client, int attempts) {
    this.client = client;
    this.attempts = attempts;
  }

  /** The blob for {@code file}, downloaded now unless already in the cache. */
  @SuppressWarnings("try") // the resource is held for its scope, not used
  Path fetch(HubRepoId repo, HubCacheLayout layout, HubFile file) throws IOException {
    Path blob = layout.blob(file.etag());
    if (Files.exists(blob)) {
      return blob;
    }
    try (CacheLock lock = CacheLock.acquire(layout.blobLock(file.etag()))) {
      if (Files.exists(blob)) { // another thread or process finished it while we waited
        return blob;
      }
      Path partial = layout.incompleteBlob(file.etag());
      Files.createDirectories(partial.getParent());
      for (int attempt = 1; ; attempt++) {
        try {
          transfer(repo, file, partial);
          break;
        } catch (HubException e) {
          Files.deleteIfExists(partial); // a server that contradicts itself: its bytes are no prefix to resume
          throw e;
        } catch (IOException e) {
          long have = Files.exists(partial) ? Files.size(partial) : 0;
          if (attempt >= attempts) {
            throw new IOException(file.path() + " of " + repo + ": download interrupted after " + have + " of "
                + file.size() + " bytes (" + e.getMessage() + "); run again to resume", e);
          }
          LOG.warn("{}: download interrupted after {} of {} bytes ({}); resuming", file.path(), have, file.size(), e.toString());
        }
      }
      try {
        BlobVerifier.verify(partial, file);
      } catch (HubException e) {
        Files.deleteIfExists(partial); // resuming a corrupt prefix would fail again
        throw e;
      }
      AtomicFiles.moveAtomically(partial, blob);
      return blob;
    }
  }

  private void transfer(HubRepoId repo, HubFile file, Path partial) throws IOException {
    long offset = Files.exists(partial) ? Files.size(partial) : 0;
    if (offset > file.size()) { // left by a different, larger file under the same name: cannot be a prefix
      Files.delete(partial);
      offset = 0;
    }
    if (offset == file.size()) {
      if (offset == 0) {
        Files.write(partial, new byte[0]);
      }
      return;
    }
    LOG.info("Downloading {} of {} ({} bytes{})", file.path(), repo, file.size(), offset > 0 ? ", resuming at " + offset : "");
    HttpResponse<InputStream> response = client.download(repo, file, offset);
    String what = file.path() + " of " + repo;
    boolean resumed = response.statusCode() == 206;
    long start = resumed ? offset : 0;
    try (InputStream in = response.body()) {
      if (resumed) {
        String contentRange = response.headers().firstValue("Content-Range").orElse("");
        if (!contentRange.startsWith("bytes " + offset + "-")) {
          throw new HubException(what + ": asked for bytes from " + offset + ", the server sent Content-Range "
              + HubNames.shown(contentRange));
        }
      } else if (offset > 0) {
        LOG.info("{}: the server ignored the Range request; starting over", file.path());
      }
      long expected = file.size() - start;
      OptionalLong announced = response.headers().firstValueAsLong("Content-Length");
      if (announced.isPresent() && announced.getAsLong() != expected) {
        throw new HubException(what + ": the server announces " + announced.getAsLong() + " bytes from offset " + start
            + ", the Hub's metadata " + expected + " (a file of " + file.size() + " bytes)");
      }
      copy(in, partial, resumed, expected, new TransferProgress(file.path(), start, file.size()));
      if (in.read() != -1) {
        throw new HubException(what + ": the server sent more than the " + file.size() + " bytes the Hub announced;"
            + " stopped there");
      }
    }
  }

  /** Appends (or writes, when not {@code resumed}) at most {@code expected} bytes; fewer is an interrupted download. */
  private static void copy(InputStream in, Path partial, boolean resumed, long expected, TransferProgress progress)
      throws IOException {
    byte[] buf = new byte[1 << 16];
    long written = 0;
    try (OutputStream out = Files.newOutputStream(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        resumed ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
      for (int n; written < expected && (n = in.read(buf, 0, (int) Math.min(buf.length, expected - written))) > 0; ) {
        out.write(buf, 0, n); // unbuffered: what arrived is on disk even if the next read fails
        written += n;
        progress.add(n);
      }
    }
    if (written < expected) {
      throw new IOException("the server's answer ended " + (expected - written) + " bytes short (truncated)");
    }
  }
}
