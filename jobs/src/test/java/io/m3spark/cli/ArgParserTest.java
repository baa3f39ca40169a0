package io.m3spark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ArgParserTest {
  enum Mode { DENSE, DENSE_SPARSE }

  static class Base extends CommandArgs {
    @Flag(name = "model_name_or_path", help = "the model", required = true)
    String model;
  }

  static class Sample extends Base {
    @Flag(name = "batch_size", help = "texts per batch")
    int batchSize = 256;

    @Flag(name = "temperature", help = "softmax temperature")
    float temperature = 0.02f;

    @Flag(name = "return_sparse", help = "also sparse weights")
    boolean returnSparse;

    @Flag(name = "normalize_embeddings", help = "L2-normalise")
    boolean normalize = true;

    @Flag(name = "k_values", help = "cut-offs")
    List<Integer> kValues = List.of(1, 10);

    @Flag(name = "train_data", help = "files", aliases = {"train_files"})
    List<String> trainData;

    @Flag(name = "mode", help = "retrieval mode")
    Mode mode = Mode.DENSE;

    @Flag(name = "instruction", help = "prefix")
    String instruction;

    @Flag(name = "fail_at", help = "inject a failure", testing = true)
    int failAt = -1;

    @Override
    public void validate() throws UsageException {
      if (batchSize <= 0) {
        throw new UsageException("--batch_size must be positive, got " + batchSize);
      }
    }
  }

  @Test
  void defaultsStayWhenFlagsAreAbsent() throws Exception {
    Sample s = ArgParser.parse(Sample.class, "--model_name_or_path", "m");
    assertEquals("m", s.model);
    assertEquals(256, s.batchSize);
    assertEquals(0.02f, s.temperature);
    assertFalse(s.returnSparse);
    assertTrue(s.normalize);
    assertEquals(List.of(1, 10), s.kValues);
    assertNull(s.instruction);
    assertEquals(Mode.DENSE, s.mode);
  }

  @Test
  void booleansAcceptBareFlagExplicitValueAndNegation() throws Exception {
    assertTrue(ArgParser.parse(Sample.class, "--model_name_or_path", "m", "--return_sparse").returnSparse);
    assertTrue(ArgParser.parse(Sample.class, "--model_name_or_path", "m", "--return_sparse", "True").returnSparse);
    assertFalse(ArgParser.parse(Sample.class, "--return_sparse", "False", "--model_name_or_path", "m").returnSparse);
    assertFalse(ArgParser.parse(Sample.class, "--model_name_or_path", "m", "--normalize_embeddings=false").normalize);
    assertFalse(ArgParser.parse(Sample.class, "--model_name_or_path", "m", "--no_normalize_embeddings").normalize);
    // a bare boolean followed by another flag does not swallow it
    Sample s = ArgParser.parse(Sample.class, "--return_sparse", "--batch_size", "8", "--model_name_or_path", "m");
    assertTrue(s.returnSparse);
    assertEquals(8, s.batchSize);
  }

  @Test
  void listsTakeValuesUpToTheNextFlagAndAliasesWork() throws Exception {
    Sample s = ArgParser.parse(Sample.class, "--model_name_or_path", "m", "--k_values", "1", "3", "5",
        "--train_files", "a.jsonl", "dir/", "--temperature=-0.5");
    assertEquals(List.of(1, 3, 5), s.kValues);
    assertEquals(List.of("a.jsonl", "dir/"), s.trainData);
    assertEquals(-0.5f, s.temperature);
  }

  @Test
  void enumsAreCaseAndDashInsensitive() throws Exception {
    assertEquals(Mode.DENSE_SPARSE, ArgParser.parse(Sample.class, "--model_name_or_path", "m", "--mode", "dense-sparse").mode);
    UsageException e = assertThrows(UsageException.class,
        () -> ArgParser.parse(Sample.class, "--model_name_or_path", "m", "--mode", "colbert"));
    assertTrue(e.getMessage().contains("dense|dense-sparse"), e.getMessage());
  }

  @Test
  void errorsNameTheFlag() {
    assertMessage("missing required flag --model_name_or_path");
    assertMessage("unknown flag --batch_sise (did you mean --batch_size?)", "--model_name_or_path", "m", "--batch_sise", "3");
    assertMessage("--batch_size expects an integer, got 'x'", "--model_name_or_path", "m", "--batch_size", "x");
    assertMessage("--batch_size needs a value", "--model_name_or_path", "m", "--batch_size");
    assertMessage("--return_sparse expects True or False, got 'maybe'", "--model_name_or_path", "m", "--return_sparse=maybe");
    assertMessage("--batch_size must be positive, got 0", "--model_name_or_path", "m", "--batch_size", "0");
    assertMessage("unexpected argument 'stray' (flags start with --)", "stray");
  }

  private static void assertMessage(String expected, String... args) {
    UsageException e = assertThrows(UsageException.class, () -> ArgParser.parse(Sample.class, args));
    assertEquals(expected, e.getMessage());
  }

  @Test
  void helpListsEveryFlagWithItsDefault() {
    String help = ArgParser.help("sample", "Does things.", Sample.class);
    assertTrue(help.startsWith("usage: m3spark sample [flags]\n\nDoes things."), help);
    for (String line : List.of("--model_name_or_path STR", "the model (required)", "--batch_size INT",
        "(default: 256)", "--return_sparse [True|False]", "(default: False)", "(default: True)",
        "--k_values INT [INT ...]", "(default: 1 10)", "(default: None)", "{dense|dense-sparse}", "(also --train_files)")) {
      assertTrue(help.contains(line), "help lacks '" + line + "':\n" + help);
    }
  }

  @Test
  void testingFlagsWorkButStayOutOfHelp() throws Exception {
    assertFalse(ArgParser.help("sample", "Does things.", Sample.class).contains("fail_at"));
    assertEquals(3, ArgParser.parse(Sample.class, "--model_name_or_path", "m", "--fail_at", "3").failAt);
  }

  @Test
  void describeRendersValuesBackAsFlags() throws Exception {
    Sample s = ArgParser.parse(Sample.class, "--model_name_or_path", "m", "--instruction", "query: ");
    assertTrue(s.toString().startsWith("--model_name_or_path m --batch_size 256"), s.toString());
    assertTrue(s.toString().contains("--instruction \"query: \""), s.toString());
  }
}
