package io.m3spark.jobs.testfs;

import java.io.IOException;
import java.net.URI;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * The local disk under a scheme of its own, for tests that must go through Hadoop's FileSystem API: a path such as
 * {@code m3test:///tmp/run} is {@code /tmp/run} on this machine, and since no java.nio code understands the scheme,
 * whatever reaches it came through the FileSystem API. Register it with
 * {@code spark.hadoop.fs.m3test.impl=io.m3spark.jobs.testfs.LocalDiskFileSystem}.
 *
 * <p>{@link WithoutRename} ({@code m3obj://}, registered as
 * {@code fs.m3obj.impl=io.m3spark.jobs.testfs.LocalDiskFileSystem$WithoutRename}) behaves like an object store for
 * writers: rename is refused, so code that treats the scheme as an object store is seen never to rely on one (list it
 * in {@code m3spark.object-store-schemes}). Unlike a real object store, a file is visible while it is being written.
 *
 * <p>Self-contained, needing only the Hadoop client API, so it can be shipped as a jar to a cluster's executors, which
 * then see the same local paths only if the cluster runs on one machine (or on a shared mount).
 */
public class LocalDiskFileSystem extends RawLocalFileSystem {
  public static final String SCHEME = "m3test";

  /** The scheme this instance serves; constant per class, as the parent's constructor asks for the URI. */
  protected String scheme() {
    return SCHEME;
  }

  @Override
  public URI getUri() {
    return URI.create(scheme() + ":///");
  }

  @Override
  public String getScheme() {
    return scheme();
  }

  /** Plain statuses: the local ones look permissions up through java.io.File, which needs a {@code file:} URI. */
  @Override
  public FileStatus[] listStatus(Path f) throws IOException {
    FileStatus[] statuses = super.listStatus(f);
    for (int i = 0; i < statuses.length; i++) {
      statuses[i] = plain(statuses[i]);
    }
    return statuses;
  }

  @Override
  public FileStatus getFileStatus(Path f) throws IOException {
    return plain(super.getFileStatus(f));
  }

  private static FileStatus plain(FileStatus s) {
    return new FileStatus(s.getLen(), s.isDirectory(), 1, s.getBlockSize(), s.getModificationTime(), s.getPath());
  }

  /** The same disk as an object store would serve it to a writer: no rename, of files or folders. */
  public static class WithoutRename extends LocalDiskFileSystem {
    public static final String SCHEME = "m3obj";

    @Override
    protected String scheme() {
      return SCHEME;
    }

    @Override
    public boolean rename(Path src, Path dst) throws IOException {
      throw new IOException(SCHEME + ":// has no rename, as an object store (asked to rename " + src + " to " + dst
          + ")");
    }
  }
}
