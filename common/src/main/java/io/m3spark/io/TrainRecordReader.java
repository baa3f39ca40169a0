package io.m3spark.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Parses and validates one line of training JSONL (spec §0). Everything FlagEmbedding would silently mangle or crash
 * on later is reported here with its file, line and field: a string {@code pos} (which hn_mine splits into characters,
 * issue #1194), an empty {@code pos}, non-string texts, a {@code neg} that is not a list.
 *
 * <p>What training needs beyond the format is checked only when asked for, because mining is exactly the step that
 * fills in negatives and drops stale scores: {@code requireNegatives} (groups of more than one passage need at least
 * one negative; FlagEmbedding divides by zero on an empty list) and {@code requireScores} (distillation needs finite
 * {@code pos_scores}/{@code neg_scores} aligned 1:1 with the texts). JSON is read by {@link StrictJson} (a repeated
 * key or content after the object is malformed), with Python's {@code NaN}/{@code Infinity} literals accepted so that
 * they are reported as what they are rather than as malformed JSON. Raw line bytes are decoded by {@link StrictUtf8}.
 */
public final class TrainRecordReader {
  private static final String MINE_FIRST =
      "groups have negatives, so every record needs at least one (FlagEmbedding divides by zero) — mine hard "
          + "negatives first";

  private final boolean requireNegatives;
  private final boolean requireScores;

  /** Format checks only, plus scores when {@code requireScores}. */
  public TrainRecordReader(boolean requireScores) {
    this(false, requireScores);
  }

  public TrainRecordReader(boolean requireNegatives, boolean requireScores) {
    this.requireNegatives = requireNegatives;
    this.requireScores = requireScores;
  }

  /** Parses the raw bytes of line {@code line} (1-based) of {@code file}: invalid UTF-8 is a bad record. */
  public ParsedLine parse(String file, long line, byte[] bytes) {
    String text;
    try {
      text = StrictUtf8.decodeLine(bytes, line);
    } catch (StrictUtf8.InvalidUtf8Exception e) {
      return bad(file, line, "(line)", e.getMessage(), StrictUtf8.forDisplay(bytes));
    }
    return parse(file, line, text);
  }

  /** Parses {@code text}, line {@code line} (1-based) of {@code file}, already decoded. */
  public ParsedLine parse(String file, long line, String text) {
    if (text == null || text.isBlank()) {
      return new ParsedLine.Blank(file, line);
    }
    JsonNode node;
    try {
      node = StrictJson.READER_WITH_NAN.readTree(text);
    } catch (JacksonException e) {
      return bad(file, line, "(line)", "malformed JSON: " + e.getOriginalMessage(), text);
    }
    if (!(node instanceof ObjectNode object)) {
      return bad(file, line, "(line)", "a training record must be a JSON object, got " + kind(node), text);
    }
    String problem;
    JsonNode query = object.get("query");
    if (query == null) {
      return bad(file, line, "query", "missing", text);
    }
    if (!query.isTextual()) {
      return bad(file, line, "query", "must be a string, got " + kind(query), text);
    }
    JsonNode pos = object.get("pos");
    if (pos == null) {
      return bad(file, line, "pos", "missing", text);
    }
    if (pos.isTextual()) {
      return bad(file, line, "pos",
          "pos must be a list of strings, got a string — FlagEmbedding would split it into characters (#1194)", text);
    }
    if ((problem = textListProblem(pos)) != null) {
      return bad(file, line, "pos", problem, text);
    }
    if (pos.isEmpty()) {
      return bad(file, line, "pos", "empty: a training record needs at least one positive", text);
    }
    JsonNode neg = object.get("neg");
    if (neg != null && (problem = textListProblem(neg)) != null) {
      return bad(file, line, "neg", problem, text);
    }
    if (requireNegatives && (neg == null || neg.isEmpty())) {
      return bad(file, line, "neg", (neg == null ? "missing; " : "empty; ") + MINE_FIRST, text);
    }
    if (requireScores) {
      if ((problem = scoresProblem(object.get("pos_scores"), pos.size(), "pos")) != null) {
        return bad(file, line, "pos_scores", problem, text);
      }
      int negCount = neg == null ? 0 : neg.size();
      if ((problem = scoresProblem(object.get("neg_scores"), negCount, "neg")) != null) {
        return bad(file, line, "neg_scores", problem, text);
      }
    }
    return new ParsedLine.Good(file, line, new TrainRecord(object));
  }

  private static String textListProblem(JsonNode list) {
    if (!list.isArray()) {
      return "must be a list of strings, got " + kind(list);
    }
    for (int i = 0; i < list.size(); i++) {
      if (!list.get(i).isTextual()) {
        return "item " + i + " must be a string, got " + kind(list.get(i));
      }
    }
    return null;
  }

  private static String scoresProblem(JsonNode scores, int texts, String textField) {
    if (scores == null) {
      return "missing; knowledge distillation needs teacher scores — score the data with a reranker first";
    }
    if (!scores.isArray()) {
      return "must be a list of numbers, got " + kind(scores);
    }
    for (int i = 0; i < scores.size(); i++) {
      JsonNode s = scores.get(i);
      if (!s.isNumber()) {
        return "item " + i + " must be a number, got " + kind(s);
      }
      if (!Float.isFinite((float) s.doubleValue())) {
        return "item " + i + " must be a finite number (32-bit float), got " + s.asText();
      }
    }
    if (scores.size() != texts) {
      return "has " + scores.size() + " values but " + textField + " has " + texts + " texts (must align 1:1)";
    }
    return null;
  }

  private static ParsedLine bad(String file, long line, String field, String reason, String raw) {
    return new ParsedLine.Bad(new BadTrainRecord(file, line, field, reason, raw));
  }

  private static String kind(JsonNode n) {
    return switch (n.getNodeType()) {
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case NULL -> "null";
      case ARRAY -> "a list";
      case OBJECT -> "an object";
      default -> n.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
    };
  }
}
