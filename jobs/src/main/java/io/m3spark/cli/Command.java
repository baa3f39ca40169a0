package io.m3spark.cli;

/**
 * One subcommand of {@code m3spark}: its name, a one-line summary, its typed flags and what it does.
 *
 * @param <A> the command's flags
 */
public interface Command<A extends CommandArgs> {
  /** The word after {@code m3spark}, e.g. {@code embed}; two words for a grouped subcommand ({@code prepare split}). */
  String name();

  /** One line for {@code m3spark --help}. */
  String summary();

  Class<A> argsType();

  /**
   * Runs the command with parsed, validated flags and returns its result (printed as a summary by the CLI).
   */
  Object run(A args) throws Exception;
}
