package io.m3spark.jobs.embed;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.m3spark.io.StrictJson;
import io.m3spark.io.StrictUtf8;

/**
 * Checks one input record and turns it into a {@link TextRecord} or a {@link BadRecord}. Bytes are decoded by
 * {@link StrictUtf8} (an invalid UTF-8 sequence is reported, never silently replaced), JSON is read by {@link StrictJson}
 * (one object, no trailing content, no repeated keys), {@code text} must be a non-blank string and {@code id} a non-empty string or a number (kept as its text).
 */
public final class RecordValidator {

  private RecordValidator() {}

  /** Validates one JSONL line; {@code null} for a blank line, which is skipped (it still counts for line numbers). */
  public static ParsedRecord fromJsonLine(long order, SourcePosition position, byte[] line, TextComposer composer) {
    String decoded;
    try {
      decoded = StrictUtf8.decodeLine(line, position.number());
    } catch (StrictUtf8.InvalidUtf8Exception e) {
      return bad(order, position, "line", e.getMessage(), StrictUtf8.forDisplay(line));
    }
    if (decoded.isBlank()) {
      return null;
    }
    JsonNode node;
    try {
      node = StrictJson.READER.readTree(decoded);
    } catch (JsonProcessingException e) {
      return bad(order, position, "line", "malformed JSON: " + e.getOriginalMessage(), decoded);
    }
    if (!node.isObject()) {
      return bad(order, position, "line", "not a JSON object but " + kindOf(node), decoded);
    }
    JsonNode id = node.get("id");
    String idValue;
    if (id == null || id.isNull()) {
      return bad(order, position, "id", id == null ? "missing" : "null", decoded);
    } else if (id.isTextual() || id.isNumber()) {
      idValue = id.asText();
    } else {
      return bad(order, position, "id", "must be a string or a number, not " + kindOf(id), decoded);
    }
    JsonNode title = node.get("title");
    String titleValue = null;
    if (composer.usesTitle() && title != null && !title.isNull()) {
      if (!title.isTextual()) {
        return bad(order, position, "title", "must be a string, not " + kindOf(title), decoded);
      }
      titleValue = title.asText();
    }
    JsonNode text = node.get("text");
    if (text == null || text.isNull()) {
      return bad(order, position, "text", text == null ? "missing" : "null", decoded);
    }
    if (!text.isTextual()) {
      return bad(order, position, "text", "must be a string, not " + kindOf(text), decoded);
    }
    return checked(order, position, idValue, text.asText(), titleValue, composer, decoded);
  }

  /**
   * Validates one Parquet row. String columns arrive as their raw bytes (so that invalid UTF-8 is caught here too), other
   * columns as Spark's Java values.
   */
  public static ParsedRecord fromParquetRow(long order, SourcePosition position, Object id, Object text, Object title,
      boolean hasIdColumn, boolean hasTextColumn, TextComposer composer) {
    String raw = "{id=" + display(id) + ", text=" + display(text) + (title == null ? "" : ", title=" + display(title)) + "}";
    if (!hasIdColumn || id == null) {
      return bad(order, position, "id", hasIdColumn ? "null" : "missing (no id column)", raw);
    }
    String idValue;
    if (id instanceof Number) {
      idValue = id.toString();
    } else if (id instanceof byte[] bytes) {
      try {
        idValue = StrictUtf8.decode(bytes);
      } catch (StrictUtf8.InvalidUtf8Exception e) {
        return bad(order, position, "id", e.getMessage(), raw);
      }
    } else {
      return bad(order, position, "id", "must be a string or a number, not " + id.getClass().getSimpleName(), raw);
    }
    String titleValue = null;
    if (composer.usesTitle() && title != null) {
      if (!(title instanceof byte[] bytes)) {
        return bad(order, position, "title", "must be a string, not " + title.getClass().getSimpleName(), raw);
      }
      try {
        titleValue = StrictUtf8.decode(bytes);
      } catch (StrictUtf8.InvalidUtf8Exception e) {
        return bad(order, position, "title", e.getMessage(), raw);
      }
    }
    if (!hasTextColumn || text == null) {
      return bad(order, position, "text", hasTextColumn ? "null" : "missing (no text column)", raw);
    }
    if (!(text instanceof byte[] textBytes)) {
      return bad(order, position, "text", "must be a string, not " + text.getClass().getSimpleName(), raw);
    }
    String textValue;
    try {
      textValue = StrictUtf8.decode(textBytes);
    } catch (StrictUtf8.InvalidUtf8Exception e) {
      return bad(order, position, "text", e.getMessage(), raw);
    }
    return checked(order, position, idValue, textValue, titleValue, composer, raw);
  }

  private static ParsedRecord checked(long order, SourcePosition position, String id, String text, String title,
      TextComposer composer, String raw) {
    if (id.isEmpty()) {
      return bad(order, position, "id", "empty", raw);
    }
    if (id.indexOf('\n') >= 0 || id.indexOf('\r') >= 0) {
      return bad(order, position, "id", "contains a line break (ids.txt has one id per line)", raw);
    }
    if (text.isBlank()) {
      return bad(order, position, "text", text.isEmpty() ? "empty" : "only whitespace", raw);
    }
    return ParsedRecord.good(new TextRecord(order, id, composer.compose(text, title), position));
  }

  private static ParsedRecord bad(long order, SourcePosition position, String field, String reason, String raw) {
    return ParsedRecord.bad(new BadRecord(order, position, field, reason, BadRecord.clip(raw)));
  }

  private static String kindOf(JsonNode node) {
    return switch (node.getNodeType()) {
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      case BOOLEAN -> "a boolean";
      case NUMBER -> "a number";
      case STRING -> "a string";
      case NULL -> "null";
      default -> node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
    };
  }

  private static String display(Object value) {
    return value instanceof byte[] bytes ? StrictUtf8.forDisplay(bytes) : String.valueOf(value);
  }
}
