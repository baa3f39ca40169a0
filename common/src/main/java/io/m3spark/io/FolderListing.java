package io.m3spark.io;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one rule for which entries of an input folder are read, for every command that takes a folder (embed, mine,
 * evaluate, train): names starting with {@code .} or {@code _} are hidden, as Hadoop's input formats treat them
 * ({@code _SUCCESS}, {@code .crc} checksums, macOS {@code ._a.jsonl} resource forks — Hadoop would refuse to read them
 * at all), sub-folders are not read (no recursion), and a file the command cannot read is skipped. Nothing is skipped
 * silently: {@link #logSkipped()} names every skipped entry and why.
 */
public final class FolderListing {
  private static final Logger LOG = LoggerFactory.getLogger(FolderListing.class);
  /** Names shown in the log line; the rest are counted. */
  private static final int SHOWN = 20;

  private final String folder;
  private final List<String> skipped = new ArrayList<>();

  /** Starts the listing of {@code folder} (as the user named it, for the log). */
  public FolderListing(String folder) {
    this.folder = folder;
  }

  /** Whether a name is hidden from Hadoop's input formats (and so from every m3spark input folder). */
  public static boolean isHidden(String name) {
    return name.startsWith(".") || name.startsWith("_");
  }

  /**
   * Whether to read the entry {@code name}; when not, remembers why.
   *
   * @param directory whether the entry is a folder
   * @param readable whether the command reads files with this name (its extension)
   * @param expected the extensions the command reads, for the reason ({@code .jsonl/.json})
   */
  public boolean accept(String name, boolean directory, boolean readable, String expected) {
    String reason = isHidden(name) ? "hidden: the name starts with '.' or '_'"
        : directory ? "a sub-folder: folders are not read recursively"
        : readable ? null : "not a " + expected + " file";
    if (reason != null) {
      skipped.add(name + (directory ? "/" : "") + " (" + reason + ")");
    }
    return reason == null;
  }

  /** The skipped entries with their reasons, in listing order. */
  public List<String> skipped() {
    return List.copyOf(skipped);
  }

  /** One warning naming what was skipped and why; nothing when nothing was. */
  public void logSkipped() {
    if (skipped.isEmpty()) {
      return;
    }
    String shown = String.join(", ", skipped.subList(0, Math.min(SHOWN, skipped.size())));
    String more = skipped.size() > SHOWN ? " and " + (skipped.size() - SHOWN) + " more" : "";
    LOG.warn("{}: skipped {} entr{}: {}{}", folder, skipped.size(), skipped.size() == 1 ? "y" : "ies", shown, more);
  }
}
