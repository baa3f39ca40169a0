package io.m3spark.train.data;

/** Training data that cannot be used as given; the message names the file and 1-based line where one is known. */
public final class TrainDataException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TrainDataException(String message) {
    super(message);
  }

  /** {@code file:line: message}, the form every record-level error uses. */
  static TrainDataException at(String file, long line, String message) {
    return new TrainDataException(file + ":" + line + ": " + message);
  }
}
