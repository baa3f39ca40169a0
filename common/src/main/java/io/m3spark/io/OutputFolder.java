package io.m3spark.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;

/**
 * A folder a job writes its outputs into: on this machine (a path or a {@code file:} URI) or on any Hadoop FileSystem
 * ({@code hdfs://}, {@code s3a://}, any scheme with an {@code fs.<scheme>.impl}). Each output is produced on the local
 * disk first, at {@link #local}, by the same java.nio code whatever the store, and then {@linkplain #publish
 * published}, whole or not at all:
 *
 * <ul>
 *   <li>on this machine, {@link #local} is the output's own place and the writer's temporary sibling and rename
 *       ({@link AtomicFiles}) already made it atomic: publishing does nothing, and the files are exactly those a
 *       java.nio job writes;
 *   <li>on a Hadoop store, {@link #local} is in a private working folder on the local disk, and publishing uploads the
 *       output as {@link HadoopStore} does on that store (temporary sibling and rename where rename is atomic; straight
 *       to its name, and a folder's marker file last, on object stores), then deletes the local copy.
 * </ul>
 *
 * <p>Names are relative to the folder, {@code /}-separated; {@code ""} is the folder itself. Close the folder opened
 * with {@link #open} when done: that deletes the working folder (children share their parent's).
 */
public abstract class OutputFolder implements AutoCloseable {

  /** The folder {@code location} names; a Hadoop URI is reached with {@code conf}. Nothing is created yet. */
  public static OutputFolder open(String location, Configuration conf) throws IOException {
    Optional<java.net.URI> uri = Locations.hadoopUri(location);
    if (uri.isEmpty()) {
      return local(Locations.localPath(location));
    }
    return HadoopOutputFolder.open(new org.apache.hadoop.fs.Path(uri.get()), conf);
  }

  /** The folder that holds the file {@code location}, to publish that file under {@link #fileName}. */
  public static OutputFolder forFile(String location, Configuration conf) throws IOException {
    Optional<java.net.URI> uri = Locations.hadoopUri(location);
    if (uri.isEmpty()) {
      return local(Locations.localPath(location).toAbsolutePath().getParent());
    }
    return HadoopOutputFolder.open(new org.apache.hadoop.fs.Path(uri.get()).getParent(), conf);
  }

  /** The last segment of a file's location (see {@link #forFile}). */
  public static String fileName(String location) {
    Optional<java.net.URI> uri = Locations.hadoopUri(location);
    return uri.isEmpty() ? Locations.localPath(location).getFileName().toString()
        : new org.apache.hadoop.fs.Path(uri.get()).getName();
  }

  /** A folder on this machine. */
  public static OutputFolder local(Path folder) {
    return new LocalOutputFolder(folder.toAbsolutePath().normalize());
  }

  /** The folder as a path or URI, for messages and for {@link #open} elsewhere (e.g. on an executor). */
  public abstract String location();

  /** The folder's own name, its location's last segment. */
  public abstract String name();

  /** The folder {@code name} inside this one (which need not exist yet). */
  public abstract OutputFolder child(String name);

  /** Whether {@code name} exists, as a file or a folder. */
  public abstract boolean exists(String name) throws IOException;

  /** The names directly inside the folder, sorted; empty when it does not exist. */
  public abstract List<String> list() throws IOException;

  /** The bytes of the file {@code name} (small files: JSON, markers). */
  public abstract byte[] read(String name) throws IOException;

  /** The file {@code name} as a local file to read: itself on this machine, else a copy in the working folder. */
  public abstract Path fetch(String name) throws IOException;

  /** Deletes {@code name}, a file or a folder with everything in it; nothing when it does not exist. */
  public abstract void delete(String name) throws IOException;

  /** Creates the folder (and its parents) if missing. */
  public abstract void create() throws IOException;

  /** Where to write {@code name} before {@link #publish}ing it; its parent folder exists. */
  public abstract Path local(String name) throws IOException;

  /** Makes the file written at {@link #local}({@code name}) visible at {@code name}, whole. */
  public abstract void publish(String name) throws IOException;

  /**
   * Makes the folder written at {@link #local}({@code name}) visible at {@code name}. Where it cannot appear at once,
   * {@code lastFile} (relative to that folder) is uploaded after everything else, so that readers who take only
   * folders holding {@code lastFile} never see a partial one.
   */
  public abstract void publishFolder(String name, String lastFile) throws IOException;

  /** Writes {@code content} as UTF-8 to {@code name} and publishes it. */
  public void writeString(String name, String content) throws IOException {
    AtomicFiles.writeString(local(name), content);
    publish(name);
  }

  /** Writes what {@code body} produces to {@code name} and publishes it. */
  public void write(String name, AtomicFiles.ChannelBody body) throws IOException {
    AtomicFiles.write(local(name), body);
    publish(name);
  }

  @Override
  public String toString() {
    return location();
  }

  @Override
  public void close() throws IOException {}
}
