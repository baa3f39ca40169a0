package io.m3spark.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code m3spark} command line: {@code m3spark <command> [flags]}. Exit codes: 0 done, 1 failed, 2 usage error.
 *
 * <p>A command whose name has two words (e.g. {@code prepare split}) belongs to a group: {@code m3spark prepare}
 * alone, or with {@code --help}, lists the group's subcommands.
 */
public final class Cli {
  private final Map<String, Command<?>> commands = new LinkedHashMap<>();

  public Cli(List<Command<?>> commands) {
    for (Command<?> c : commands) {
      this.commands.put(c.name(), c);
    }
  }

  public static void main(String[] args) {
    int code = new Cli(Commands.all()).run(args, System.out, System.err);
    // Spark can leave non-daemon threads behind after barrier jobs; end the JVM explicitly.
    System.exit(code);
  }

  /** Runs one command line and returns the exit code. */
  public int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0 || isHelp(args[0])) {
      out.print(overview());
      return args.length == 0 ? 2 : 0;
    }
    String name = args[0];
    int words = 1;
    if (!commands.containsKey(name) && isGroup(name)) {
      if (args.length == 1 || isHelp(args[1])) {
        out.print(groupOverview(name));
        return args.length == 1 ? 2 : 0;
      }
      name = name + " " + args[1];
      words = 2;
    }
    Command<?> command = commands.get(name);
    if (command == null) {
      err.println("m3spark: unknown command '" + name + "'\n");
      err.print(words == 2 ? groupOverview(args[0]) : overview());
      return 2;
    }
    String[] rest = Arrays.copyOfRange(args, words, args.length);
    if (Arrays.stream(rest).anyMatch(Cli::isHelp)) {
      out.print(ArgParser.help(command.name(), command.summary(), command.argsType()));
      return 0;
    }
    return execute(command, rest, out, err);
  }

  private static <A extends CommandArgs> int execute(Command<A> command, String[] rest, PrintStream out, PrintStream err) {
    A parsed;
    try {
      parsed = ArgParser.parse(command.argsType(), rest);
    } catch (UsageException e) {
      err.println("m3spark " + command.name() + ": " + e.getMessage());
      err.println("run 'm3spark " + command.name() + " --help' for the list of flags");
      return 2;
    }
    try {
      Object result = command.run(parsed);
      if (result != null) {
        out.println(result);
      }
      return 0;
    } catch (UsageException e) {
      err.println("m3spark " + command.name() + ": " + e.getMessage());
      return 2;
    } catch (Exception e) {
      err.println("m3spark " + command.name() + " failed: " + Errors.userMessage(e));
      if (Boolean.getBoolean("m3spark.stacktrace")) {
        e.printStackTrace(err);
      } else {
        err.println("(run with -Dm3spark.stacktrace=true for the stack trace)");
      }
      return 1;
    }
  }

  private String overview() {
    StringBuilder sb = new StringBuilder("usage: m3spark <command> [flags]\n\ncommands:\n");
    int width = commands.keySet().stream().mapToInt(String::length).max().orElse(0) + 4;
    for (Command<?> c : commands.values()) {
      sb.append(String.format(Locale.ROOT, "  %-" + width + "s%s%n", c.name(), c.summary()));
    }
    sb.append("\nrun 'm3spark <command> --help' for a command's flags and their defaults\n");
    return sb.toString();
  }

  private boolean isGroup(String word) {
    return commands.keySet().stream().anyMatch(n -> n.startsWith(word + " "));
  }

  private String groupOverview(String group) {
    StringBuilder sb = new StringBuilder("usage: m3spark " + group + " <subcommand> [flags]\n\nsubcommands:\n");
    int width = commands.keySet().stream().mapToInt(String::length).max().orElse(0) + 4 - group.length() - 1;
    for (Command<?> c : commands.values()) {
      if (c.name().startsWith(group + " ")) {
        sb.append(String.format(Locale.ROOT, "  %-" + width + "s%s%n", c.name().substring(group.length() + 1),
            c.summary()));
      }
    }
    sb.append("\nrun 'm3spark " + group + " <subcommand> --help' for a subcommand's flags and their defaults\n");
    return sb.toString();
  }

  private static boolean isHelp(String arg) {
    return arg.equals("--help") || arg.equals("-h") || arg.equals("help");
  }
}
