package io.m3spark.train.checkpoint;

import io.m3spark.io.OutputFolder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Naming and listing of {@code output_dir/checkpoint-N} folders. A checkpoint counts as complete only under its final
 * name and with {@code trainer_state.json}, the file written last (uploaded last where the store cannot rename a
 * folder into place); temporary folders ({@code .checkpoint-N.*.tmp}) left by a killed job never match, nor does a
 * folder whose upload was cut short.
 */
public final class CheckpointFolders {
  static final String TRAINER_STATE = "trainer_state.json";
  private static final Pattern NAME = Pattern.compile("checkpoint-(\\d+)");

  private CheckpointFolders() {}

  /** {@code checkpoint-<step>}. */
  public static String name(long step) {
    return "checkpoint-" + step;
  }

  /** The step a checkpoint folder was written at, or -1 when the name is not {@code checkpoint-N}. */
  public static long step(String name) {
    Matcher m = NAME.matcher(name);
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
  public static List<OutputFolder> complete(OutputFolder outputDir) throws IOException {
    List<OutputFolder> out = new ArrayList<>();
    for (String name : outputDir.list()) {
      if (step(name) >= 0 && outputDir.exists(name + "/" + TRAINER_STATE)) {
        out.add(outputDir.child(name));
      }
    }
    out.sort(Comparator.comparingLong(c -> step(c.name())));
    return out;
  }

  /**
   * Deletes the checkpoint {@code name}, its trainer state first: a deletion cut short (on a store that deletes file by
   * file) leaves a folder that is no longer complete, never one that looks complete and is not.
   */
  public static void delete(OutputFolder outputDir, String name) throws IOException {
    outputDir.delete(name + "/" + TRAINER_STATE);
    outputDir.delete(name);
  }
}
