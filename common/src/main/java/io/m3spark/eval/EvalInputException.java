package io.m3spark.eval;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A qrels or run file that cannot be evaluated. The message starts with {@code file:line:} and names the field, so the
 * user can open the file at the offending line.
 */
public class EvalInputException extends IOException {
  private static final long serialVersionUID = 1L;

  public EvalInputException(Path file, long line, String problem) {
    super(file + ":" + line + ": " + problem);
  }

  public EvalInputException(Path file, String problem) {
    super(file + ": " + problem);
  }
}
