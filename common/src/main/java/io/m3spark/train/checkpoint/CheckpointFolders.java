package io.m3spark.train.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Naming and listing of {@code output_dir/checkpoint-N} folders. A checkpoint counts as complete only under its final
 * name and with {@code trainer_state.json}, the file written last; temporary folders ({@code .checkpoint-N.*.tmp})
 * left by a killed job never match.
 */
public final class CheckpointFolders {
  static final String TRAINER_STATE = "trainer_state.json";
  private static final Pattern NAME = Pattern.compile("checkpoint-(\\d+)");

  private CheckpointFolders() {}

  /** {@code outputDir/checkpoint-<step>}. */
  public static Path folder(Path outputDir, long step) {
    return outputDir.resolve("checkpoint-" + step);
  }

  /** The step a checkpoint folder was written at, or -1 when the name is not {@code checkpoint-N}. */
  public static long step(Path folder) {
    Matcher m = NAME.matcher(folder.getFileName().toString());
    if (!m.matches()) {
      return -1;
    }
    try {
      return Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Complete checkpoints in {@code outputDir}, oldest (lowest step) first; empty when the folder does not exist. */
  public static List<Path> complete(Path outputDir) throws IOException {
    if (!Files.isDirectory(outputDir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(outputDir)) {
      return s.filter(p -> step(p) >= 0 && Files.isRegularFile(p.resolve(TRAINER_STATE)))
          .sorted(Comparator.comparingLong(CheckpointFolders::step))
          .toList();
    }
  }
}
