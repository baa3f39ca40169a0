package io.m3spark.train.data;

/**
 * FlagEmbedding's {@code format.format(instruction, text)} for the instruction formats it uses: each {@code {}} in the
 * format takes the next argument, instruction first (default {@code "{}{}"}, i.e. plain concatenation). Only the
 * positional {@code {}} placeholder is supported; {@code {{}}} escapes and named fields are rejected up front so that a
 * mistyped format fails at configuration time instead of producing odd text.
 */
public record InstructionFormat(String format) {
  /** {@code "{}{}"}: the instruction directly followed by the text. */
  public static final InstructionFormat CONCAT = new InstructionFormat("{}{}");

  public InstructionFormat {
    String rest = format.replace("{}", "");
    if (rest.contains("{") || rest.contains("}")) {
      throw new IllegalArgumentException("instruction format may only use {} placeholders, got: " + format);
    }
    int placeholders = (format.length() - rest.length()) / 2;
    if (placeholders != 2) {
      throw new IllegalArgumentException("instruction format needs exactly two {} (instruction, text), got: " + format);
    }
  }

  /** The format with {@code instruction} in the first placeholder and {@code text} in the second. */
  public String apply(String instruction, String text) {
    int first = format.indexOf("{}");
    int second = format.indexOf("{}", first + 2);
    return format.substring(0, first) + instruction + format.substring(first + 2, second) + text
        + format.substring(second + 2);
  }
}
