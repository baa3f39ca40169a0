package io.m3spark.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Parses and validates one line of training JSONL (spec §0). Everything FlagEmbedding would silently mangle or crash
 * on later is reported here with its file, line and field: a string {@code pos} (which hn_mine splits into characters,
 * issue #1194), an empty {@code pos}, non-string texts, a {@code neg} that is not a list.
 *
 * <p>Scores are checked only when asked for ({@code requireScores}): mining replaces the negatives and drops stale
 * scores anyway, while distillation needs {@code pos_scores}/{@code neg_scores} aligned 1:1 with the texts.
 */
public final class TrainRecordReader {
  private final boolean requireScores;

  public TrainRecordReader(boolean requireScores) {
    this.requireScores = requireScores;
  }

  /** Parses {@code text}, line {@code line} (1-based) of {@code file}. */
  public ParsedLine parse(String file, long line, String text) {
    if (text == null || text.isBlank()) {
      return new ParsedLine.Blank(file, line);
    }
    JsonNode node;
    try {
      node = TrainRecord.JSON.readTree(text);
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
      return "missing (scores were required)";
    }
    if (!scores.isArray()) {
      return "must be a list of numbers, got " + kind(scores);
    }
    for (int i = 0; i < scores.size(); i++) {
      if (!scores.get(i).isNumber()) {
        return "item " + i + " must be a number, got " + kind(scores.get(i));
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
