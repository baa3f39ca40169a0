package io.m3spark.weights;

import java.io.IOException;
import java.nio.file.Path;

/** A checkpoint file that cannot be read safely; the message names the file and what is wrong with it. */
public class WeightsFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  public WeightsFormatException(Path file, String problem) {
    super(file + ": " + problem);
  }

  public WeightsFormatException(Path file, String problem, Throwable cause) {
    super(file + ": " + problem, cause);
  }
}
