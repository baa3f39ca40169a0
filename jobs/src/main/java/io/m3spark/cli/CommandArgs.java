package io.m3spark.cli;

import java.io.Serializable;

/**
 * Base of every command's typed parameters: fields annotated with {@link Flag}, defaults in their initialisers,
 * and every cross-field rule in {@link #validate()} — one place per command.
 */
public abstract class CommandArgs implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Checks the parsed values together; throw {@link UsageException} with a message that names the flag. */
  public void validate() throws UsageException {}

  /** A {@code --flag value} style rendering of every flag, for logs and run manifests. */
  @Override
  public String toString() {
    return ArgParser.describe(this);
  }
}
