package io.m3spark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Two-word commands ({@code m3spark prepare split}) and the help of their group. */
class CliSubcommandTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return new Cli(Commands.all()).run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void topLevelHelpListsTheSubcommands() {
    assertEquals(0, run("--help"));
    assertTrue(out().contains("  prepare import-squad "), out());
    assertTrue(out().contains("  prepare split "), out());
    assertTrue(out().contains("  prepare make-eval-set "), out());
  }

  @Test
  void groupAloneOrWithHelpListsItsSubcommands() {
    assertEquals(2, run("prepare"));
    assertTrue(out().startsWith("usage: m3spark prepare <subcommand> [flags]"), out());
    assertTrue(out().contains("  import-squad "), out());
    out.reset();
    assertEquals(0, run("prepare", "--help"));
    assertTrue(out().contains("  make-eval-set "), out());
  }

  @Test
  void subcommandHelpShowsItsFlags() {
    assertEquals(0, run("prepare", "split", "--help"));
    assertTrue(out().startsWith("usage: m3spark prepare split [flags]"), out());
    assertTrue(out().contains("--group_by {query|positive}"), out());
  }

  @Test
  void unknownSubcommandIsAUsageError() {
    assertEquals(2, run("prepare", "nope"));
    String e = err.toString(StandardCharsets.UTF_8);
    assertTrue(e.contains("unknown command 'prepare nope'") && e.contains("  split "), e);
  }

  @Test
  void subcommandFlagErrorsNameTheSubcommand() {
    assertEquals(2, run("prepare", "split", "--input", "x"));
    assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("m3spark prepare split: missing required flag"));
  }
}
