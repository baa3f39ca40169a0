package io.m3spark.text;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * FlagEmbedding's {@code query_instruction_format.format(instruction, query)}: Python {@code str.format} with two positional
 * arguments. Supports {@code {}} (auto-numbered), {@code {0}}/{@code {1}} and the {@code {{ }}} escapes; a literal
 * backslash-n in the pattern becomes a newline first, as FlagEmbedding does for patterns passed on a command line.
 */
public final class InstructionFormat implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Literal text, or argument 0 (instruction) / 1 (query). */
  private record Part(String literal, int argument) implements Serializable {}

  /** {@code "{}{}"}: the instruction directly followed by the text (FlagEmbedding's default). */
  public static final InstructionFormat CONCAT = parse("{}{}");

  private final String pattern;
  private final List<Part> parts;

  private InstructionFormat(String pattern, List<Part> parts) {
    this.pattern = pattern;
    this.parts = parts;
  }

  public static InstructionFormat parse(String pattern) {
    String p = pattern.replace("\\n", "\n");
    List<Part> parts = new ArrayList<>();
    StringBuilder literal = new StringBuilder();
    int auto = 0;
    boolean manual = false;
    for (int i = 0; i < p.length(); i++) {
      char c = p.charAt(i);
      if (c == '{' && i + 1 < p.length() && p.charAt(i + 1) == '{') {
        literal.append('{');
        i++;
      } else if (c == '}' && i + 1 < p.length() && p.charAt(i + 1) == '}') {
        literal.append('}');
        i++;
      } else if (c == '{') {
        int close = p.indexOf('}', i);
        if (close < 0) {
          throw bad(pattern, "unmatched '{'");
        }
        String field = p.substring(i + 1, close);
        int argument;
        if (field.isEmpty()) {
          if (manual) {
            throw bad(pattern, "cannot switch from manual field numbering to automatic");
          }
          argument = auto++;
        } else if (field.equals("0") || field.equals("1")) {
          if (auto > 0) {
            throw bad(pattern, "cannot switch from automatic field numbering to manual");
          }
          manual = true;
          argument = field.charAt(0) - '0';
        } else {
          throw bad(pattern, "only {}, {0} and {1} are supported, found {" + field + "}");
        }
        if (argument > 1) {
          throw bad(pattern, "more than two {} fields (instruction, query)");
        }
        if (literal.length() > 0) {
          parts.add(new Part(literal.toString(), -1));
          literal.setLength(0);
        }
        parts.add(new Part(null, argument));
        i = close;
      } else if (c == '}') {
        throw bad(pattern, "single '}'");
      } else {
        literal.append(c);
      }
    }
    if (literal.length() > 0) {
      parts.add(new Part(literal.toString(), -1));
    }
    return new InstructionFormat(pattern, List.copyOf(parts));
  }

  public String apply(String instruction, String query) {
    StringBuilder out = new StringBuilder();
    for (Part part : parts) {
      out.append(part.argument() < 0 ? part.literal() : part.argument() == 0 ? instruction : query);
    }
    return out.toString();
  }

  /** The pattern as given. */
  public String pattern() {
    return pattern;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof InstructionFormat other && other.pattern.equals(pattern);
  }

  @Override
  public int hashCode() {
    return pattern.hashCode();
  }

  @Override
  public String toString() {
    return pattern;
  }

  private static IllegalArgumentException bad(String pattern, String why) {
    return new IllegalArgumentException("instruction format \"" + pattern + "\": " + why);
  }
}
