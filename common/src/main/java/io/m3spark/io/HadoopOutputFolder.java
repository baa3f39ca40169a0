package io.m3spark.io;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;

/**
 * An {@link OutputFolder} on a Hadoop FileSystem. Outputs are produced in a working folder on the local disk (a
 * temporary folder, made on first use and shared with the children, mirroring the remote layout) and uploaded by
 * {@link HadoopStore} when published; the local copy is then deleted, so the working folder holds at most the outputs
 * in progress.
 */
final class HadoopOutputFolder extends OutputFolder {
  private final HadoopStore store;
  private final Path root;
  private final WorkingFolder working;
  private final String relative; // this folder's place inside the working folder
  private final boolean owner;

  /** The local working folder, created when first needed. */
  private static final class WorkingFolder {
    private java.nio.file.Path dir;

    synchronized java.nio.file.Path get() throws IOException {
      if (dir == null) {
        dir = Files.createTempDirectory("m3spark-output-");
      }
      return dir;
    }

    synchronized void delete() throws IOException {
      if (dir != null) {
        Trees.delete(dir);
        dir = null;
      }
    }
  }

  private HadoopOutputFolder(HadoopStore store, Path root, WorkingFolder working, String relative, boolean owner) {
    this.store = store;
    this.root = root;
    this.working = working;
    this.relative = relative;
    this.owner = owner;
  }

  static HadoopOutputFolder open(Path location, Configuration conf) throws IOException {
    HadoopStore store = HadoopStore.of(location, conf);
    return new HadoopOutputFolder(store, store.fileSystem().makeQualified(location), new WorkingFolder(), "", true);
  }

  private Path path(String name) {
    return name.isEmpty() ? root : new Path(root, name);
  }

  private java.nio.file.Path workingPath(String name) throws IOException {
    java.nio.file.Path dir = working.get();
    String inside = relative.isEmpty() ? name : name.isEmpty() ? relative : relative + "/" + name;
    return inside.isEmpty() ? dir : dir.resolve(inside);
  }

  @Override
  public String location() {
    return root.toString();
  }

  @Override
  public String name() {
    return root.getName();
  }

  @Override
  public OutputFolder child(String name) {
    return new HadoopOutputFolder(store, new Path(root, name), working, relative.isEmpty() ? name
        : relative + "/" + name, false);
  }

  @Override
  public boolean exists(String name) throws IOException {
    return store.fileSystem().exists(path(name));
  }

  @Override
  public List<String> list() throws IOException {
    try {
      return Arrays.stream(store.fileSystem().listStatus(root)).map(s -> s.getPath().getName()).sorted().toList();
    } catch (FileNotFoundException e) {
      return List.of();
    }
  }

  @Override
  public byte[] read(String name) throws IOException {
    try (InputStream in = store.fileSystem().open(path(name))) {
      return in.readAllBytes();
    }
  }

  @Override
  public java.nio.file.Path fetch(String name) throws IOException {
    FileStatus status = store.fileSystem().getFileStatus(path(name)); // FileNotFoundException names the path
    java.nio.file.Path copy = workingPath(name);
    HadoopStore.download(store.fileSystem(), status, copy);
    return copy;
  }

  @Override
  public void delete(String name) throws IOException {
    store.fileSystem().delete(path(name), true);
  }

  @Override
  public void create() throws IOException {
    if (!store.fileSystem().mkdirs(root)) {
      throw new IOException("cannot create " + root);
    }
  }

  @Override
  public java.nio.file.Path local(String name) throws IOException {
    java.nio.file.Path p = workingPath(name);
    Files.createDirectories(name.isEmpty() ? p : p.getParent());
    return p;
  }

  @Override
  public void publish(String name) throws IOException {
    java.nio.file.Path file = workingPath(name);
    store.upload(file, path(name));
    Files.delete(file);
  }

  @Override
  public void publishFolder(String name, String lastFile) throws IOException {
    java.nio.file.Path folder = workingPath(name);
    store.uploadFolder(folder, path(name), lastFile);
    Trees.delete(folder);
  }

  @Override
  public void close() throws IOException {
    if (owner) {
      working.delete();
    }
  }
}
