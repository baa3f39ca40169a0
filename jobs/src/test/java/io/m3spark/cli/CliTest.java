package io.m3spark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class CliTest {
  static class EchoArgs extends CommandArgs {
    @Flag(name = "text", help = "what to echo", required = true)
    String text;

    @Flag(name = "fail", help = "throw instead")
    boolean fail;
  }

  static final class Echo implements Command<EchoArgs> {
    @Override
    public String name() {
      return "echo";
    }

    @Override
    public String summary() {
      return "Prints its text.";
    }

    @Override
    public Class<EchoArgs> argsType() {
      return EchoArgs.class;
    }

    @Override
    public Object run(EchoArgs args) {
      if (args.fail) {
        throw new RuntimeException(new org.apache.spark.SparkException("Job aborted due to stage failure: task 0 failed",
            new IllegalArgumentException("data.jsonl:3: field 'text': missing")));
      }
      return args.text;
    }
  }

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return new Cli(List.of(new Echo())).run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void runsTheCommandAndPrintsItsResult() {
    assertEquals(0, run("echo", "--text", "hello"));
    assertEquals("hello\n", out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void helpAtEachLevel() {
    assertEquals(0, run("--help"));
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("echo    Prints its text."));
    out.reset();
    assertEquals(0, run("echo", "--help"));
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("--text STR"));
  }

  @Test
  void usageErrorsExitWithTwo() {
    assertEquals(2, run("echo"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("missing required flag --text"));
    assertEquals(2, run("nope"));
    assertEquals(2, run());
  }

  @Test
  void failuresShowTheInnermostMessage() {
    assertEquals(1, run("echo", "--text", "x", "--fail"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("failed: data.jsonl:3: field 'text': missing"),
        err.toString(StandardCharsets.UTF_8));
  }
}
