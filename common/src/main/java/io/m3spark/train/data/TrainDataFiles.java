package io.m3spark.train.data;

import io.m3spark.io.FolderListing;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Reading {@code --train_data} paths (spec §4.3): which files they name, and their records. */
public final class TrainDataFiles {
  private TrainDataFiles() {}

  /** Whether FlagEmbedding reads this file: a {@code .json} or {@code .jsonl} name; everything else is ignored. */
  static boolean isDataFile(Path p) {
    String n = p.getFileName().toString();
    return Files.isRegularFile(p) && (n.endsWith(".jsonl") || n.endsWith(".json"));
  }

  /**
   * The data files directly inside {@code folder}, sorted by name so listing order never matters. Entries are chosen by
   * {@link FolderListing}, as for every input folder: hidden names ({@code .a.jsonl}, {@code ._a.jsonl}), sub-folders
   * and other files are skipped and logged. Compressed data is not read: training seeks to records by file offset.
   */
  static List<Path> listFolder(Path folder) throws IOException {
    FolderListing listing = new FolderListing(folder.toString());
    List<Path> out;
    try (Stream<Path> files = Files.list(folder)) {
      out = files.sorted().filter(p -> listing.accept(p.getFileName().toString(), Files.isDirectory(p),
          isDataFile(p), ".jsonl or .json (uncompressed)")).toList();
    }
    listing.logSkipped();
    return out;
  }

  /** Every data file the paths name (files as given, folders listed), sorted; a missing path is an error. */
  public static List<Path> resolve(List<Path> paths) throws IOException {
    List<Path> out = new ArrayList<>();
    for (Path p : paths) {
      requireExists(p);
      if (Files.isDirectory(p)) {
        out.addAll(listFolder(p));
      } else if (isDataFile(p)) {
        out.add(p);
      }
    }
    return out.stream().sorted().toList();
  }

  static void requireExists(Path p) throws FileNotFoundException {
    if (!Files.exists(p)) {
      throw new FileNotFoundException("train_data path does not exist: " + p);
    }
  }
}
