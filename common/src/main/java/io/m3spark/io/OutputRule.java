package io.m3spark.io;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * What an output flag may replace, checked before any work: the one rule behind every {@code --overwrite}.
 *
 * <ul>
 *   <li>An existing output is an error unless overwriting was asked for.
 *   <li>An output that would be replaced must not be, or contain, an input, the model, a cache the command reads, the
 *       current directory or the file system's working directory (or be a root): replacing it would delete them.
 *   <li>A folder output is replaced only when it is one of ours: empty, or holding the marker file the command writes
 *       with every output (its manifest), or holding nothing but names the command writes. A file output is replaced
 *       only when it is a regular file, never a folder; it is renamed over, so nothing else is touched. A shared
 *       folder (training's {@code output_dir}) is never replaced itself: the command replaces or deletes only the
 *       outputs it names in it, so an existing one is no error, and only the first rule applies to what it deletes.
 * </ul>
 *
 * <p>Locations are compared as Hadoop qualifies them with the command's configuration (a plain path is on the default
 * file system, as the commands read it); on the local file system after resolving symbolic links, so a link cannot
 * hide that an output holds an input. Protected locations that do not exist (a Hub model id) protect nothing.
 */
public final class OutputRule {
  private final String flag;
  private final String location;
  private final Kind kind;
  private final String marker;
  private final Set<String> ownNames;
  private final boolean plainIsLocal;
  private final List<Guarded> guarded = new ArrayList<>();

  /** A location that must survive the output's replacement; {@code plainIsLocal}: see {@link #protectLocal}. */
  private record Guarded(String what, String location, boolean plainIsLocal) {}

  private enum Kind { FOLDER, FILE, SHARED_FOLDER }

  private OutputRule(String flag, String location, Kind kind, String marker, Set<String> ownNames) {
    this.flag = flag;
    this.location = location;
    this.kind = kind;
    this.marker = marker;
    this.ownNames = ownNames;
    this.plainIsLocal = kind == Kind.SHARED_FOLDER;
  }

  /**
   * A folder output, ours when it holds {@code marker}; {@code alsoOurs} are further names the command writes there
   * (a folder holding only those, e.g. left by an interrupted write before the marker, is ours too).
   */
  public static OutputRule folder(String flag, String location, String marker, String... alsoOurs) {
    List<String> names = new ArrayList<>(Arrays.asList(alsoOurs));
    names.add(marker);
    return new OutputRule(flag, location, Kind.FOLDER, marker, Set.copyOf(names));
  }

  /** A single-file output. */
  public static OutputRule file(String flag, String location) {
    return new OutputRule(flag, location, Kind.FILE, null, Set.of());
  }

  /**
   * A folder the command writes named outputs into, replacing or deleting only those; a plain path is on this machine
   * ({@link OutputFolder}).
   */
  public static OutputRule sharedFolder(String flag, String location) {
    return new OutputRule(flag, location, Kind.SHARED_FOLDER, null, Set.of());
  }

  /**
   * Protects {@code location} (given as {@code flag}; null: nothing) from being replaced with the output; a plain path
   * is read as the output's is (on the default file system, or on this machine for a shared folder).
   */
  public OutputRule protect(String protectedFlag, String protectedLocation) {
    return add(protectedFlag, protectedLocation, plainIsLocal);
  }

  /** Protects a location the command reads as a path on this machine unless it is a URI: a model folder, a cache. */
  public OutputRule protectLocal(String protectedFlag, String protectedLocation) {
    return add(protectedFlag, protectedLocation, true);
  }

  private OutputRule add(String what, String protectedLocation, boolean local) {
    if (protectedLocation != null && !protectedLocation.isBlank()) {
      guarded.add(new Guarded(what, protectedLocation, local));
    }
    return this;
  }

  /** Protects every location of a repeated flag. */
  public OutputRule protect(String protectedFlag, List<String> locations) {
    locations.forEach(l -> protect(protectedFlag, l));
    return this;
  }

  /** Protects every location of a repeated flag read as local paths ({@link #protectLocal(String, String)}). */
  public OutputRule protectLocal(String protectedFlag, List<String> locations) {
    locations.forEach(l -> protectLocal(protectedFlag, l));
    return this;
  }

  public String flag() {
    return flag;
  }

  public String location() {
    return location;
  }

  /**
   * Checks the output before any work, as the class describes; {@code overwriteFlag} names the flag that allows
   * replacing, for messages. A shared folder is checked only when {@code overwrite} (its outputs are about to be
   * deleted).
   */
  public void check(boolean overwrite, String overwriteFlag, Configuration conf) {
    try {
      Path target = plainIsLocal ? canonical(location, true, conf) : new Path(location);
      FileSystem fs = target.getFileSystem(conf);
      FileStatus status = status(fs, target);
      if (status == null || (kind == Kind.SHARED_FOLDER && !overwrite)) {
        return;
      }
      if (!overwrite) {
        throw new IllegalArgumentException(flag + " " + location + " already exists; pass " + overwriteFlag
            + " to replace it");
      }
      refuseOverlap(overwriteFlag, conf);
      switch (kind) {
        case FILE -> {
          if (!status.isFile()) {
            throw refused(overwriteFlag, "it is not a regular file; " + overwriteFlag + " replaces only a file");
          }
        }
        case FOLDER -> {
          if (!status.isDirectory()) {
            throw refused(overwriteFlag, "it is a file, not an output folder of m3spark");
          }
          checkOurs(fs, target, overwriteFlag);
        }
        case SHARED_FOLDER -> { } // only the command's own outputs in it are replaced
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check " + flag + " " + location, e);
    }
  }

  /**
   * For an output a command always replaces (its fixed file names, no overwrite flag: prepare's files, eval-run's
   * reports): refuses, before any work, one that is or holds an input, which writing it would destroy.
   */
  public void refuseOverlap(Configuration conf) {
    String overlap = overlap(conf);
    if (overlap != null) {
      throw new IllegalArgumentException(flag + " " + location + ": will not write it: " + overlap);
    }
  }

  /**
   * {@link #refuseOverlap(Configuration)} for a command that reads and writes files on this machine: each of
   * {@code outputs} (written for {@code flag}) against each input, given by its flag.
   */
  public static void refuseLocalOverlap(String flag, List<java.nio.file.Path> outputs,
      Map<String, java.nio.file.Path> inputs) {
    Configuration conf = new Configuration(false);
    for (java.nio.file.Path output : outputs) {
      OutputRule rule = file(flag, output.toAbsolutePath().toUri().toString());
      inputs.forEach((inputFlag, input) -> rule.protect(inputFlag, input.toAbsolutePath().toUri().toString()));
      rule.refuseOverlap(conf);
    }
  }

  /** Refuses what {@link #overlap} finds, before anything in the output is deleted or replaced. */
  private void refuseOverlap(String overwriteFlag, Configuration conf) {
    String overlap = overlap(conf);
    if (overlap != null) {
      throw refused(overwriteFlag, overlap);
    }
  }

  /**
   * Why the output may not be replaced, or null: it is a root, or equals or contains a protected location, the current
   * directory or the file system's working directory.
   */
  private String overlap(Configuration conf) {
    try {
      Path target = canonical(location, plainIsLocal, conf);
      if (target.getParent() == null) {
        return "it is a file system root";
      }
      List<Guarded> all = new ArrayList<>(guarded);
      all.add(new Guarded("the current directory", System.getProperty("user.dir"), true));
      all.add(new Guarded("the working directory", target.getFileSystem(conf).getWorkingDirectory().toString(),
          false));
      for (Guarded g : all) {
        Path p = canonicalOrNull(g.location(), g.plainIsLocal(), conf);
        if (p != null && contains(target, p) && status(p.getFileSystem(conf), p) != null) {
          String what = g.what().startsWith("--") ? g.what() + " " + g.location()
              : g.what() + " (" + g.location() + ")";
          return "it " + (p.equals(target) ? "is" : "contains") + " " + what
              + "; an output must not be or hold an input, the model or the working directory";
        }
      }
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check " + flag + " " + location, e);
    }
  }

  private void checkOurs(FileSystem fs, Path target, String overwriteFlag) throws IOException {
    List<String> foreign = new ArrayList<>();
    for (FileStatus s : fs.listStatus(target)) {
      String name = s.getPath().getName();
      if (name.equals(marker)) {
        return;
      }
      if (!ownNames.contains(name) && !isChecksumOfOwn(name)) {
        foreign.add(name);
      }
    }
    if (!foreign.isEmpty()) {
      throw refused(overwriteFlag, "it is not an output of m3spark (no " + marker + " in it, and it holds "
          + foreign.get(0) + "); " + overwriteFlag + " replaces only a folder an earlier run wrote: delete it "
          + "yourself or choose another " + flag);
    }
  }

  /** Hadoop's checksum side file of one of our names ({@code .name.crc}). */
  private boolean isChecksumOfOwn(String name) {
    return name.startsWith(".") && name.endsWith(".crc") && ownNames.contains(name.substring(1, name.length() - 4));
  }

  private IllegalArgumentException refused(String overwriteFlag, String reason) {
    return new IllegalArgumentException(flag + " " + location + ": " + overwriteFlag + " will not replace it: "
        + reason);
  }

  /** Whether {@code outer} is {@code inner} or one of its ancestors. */
  private static boolean contains(Path outer, Path inner) {
    for (Path p = inner; p != null; p = p.getParent()) {
      if (p.equals(outer)) {
        return true;
      }
    }
    return false;
  }

  private static FileStatus status(FileSystem fs, Path p) throws IOException {
    try {
      return fs.getFileStatus(p);
    } catch (FileNotFoundException e) {
      return null;
    }
  }

  /** As {@link #canonical}, or null for what names no file system (a model id such as {@code builtin:...}). */
  private static Path canonicalOrNull(String location, boolean plainIsLocal, Configuration conf) {
    try {
      return canonical(location, plainIsLocal, conf);
    } catch (IOException | IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * {@code location} qualified by its file system (a plain path: this machine's when {@code plainIsLocal}, else the
   * default one); on the local one with symbolic links resolved.
   */
  static Path canonical(String location, boolean plainIsLocal, Configuration conf) throws IOException {
    Path p = plainIsLocal && Locations.hadoopUri(location).isEmpty()
        ? new Path("file", null, Locations.localPath(location).toAbsolutePath().toString()) : new Path(location);
    Path q = p.getFileSystem(conf).makeQualified(p);
    URI uri = q.toUri();
    if (!"file".equals(uri.getScheme())) {
      return q;
    }
    java.nio.file.Path local = java.nio.file.Path.of(uri.getPath()).normalize();
    java.nio.file.Path existing = local;
    while (existing != null && !java.nio.file.Files.exists(existing)) {
      existing = existing.getParent();
    }
    java.nio.file.Path real = existing == null ? local
        : existing.toRealPath().resolve(existing.relativize(local));
    return new Path("file", null, real.toString());
  }
}
