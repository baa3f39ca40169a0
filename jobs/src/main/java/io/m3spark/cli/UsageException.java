package io.m3spark.cli;

/** Wrong command-line input: the message is shown to the user as is, followed by a pointer to --help. */
public class UsageException extends Exception {
  private static final long serialVersionUID = 1L;

  public UsageException(String message) {
    super(message);
  }
}
