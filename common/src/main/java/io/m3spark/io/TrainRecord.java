package io.m3spark.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One line of FlagEmbedding's training JSONL (behaviour spec §0): {@code query}, {@code pos}, {@code neg}, optional
 * {@code pos_scores}/{@code neg_scores}, {@code prompt}, {@code type} — and every other field the user had, in its
 * original order, because FlagEmbedding's scripts pass unknown fields through and so must we.
 *
 * <p>Immutable: the {@code with...} methods return a copy. Instances are made by {@link TrainRecordReader}, which has
 * already checked the types, so the accessors do not re-validate.
 */
public final class TrainRecord implements Serializable {
  private static final long serialVersionUID = 1L;
  static final ObjectMapper JSON = new ObjectMapper();

  private final ObjectNode json;

  TrainRecord(ObjectNode json) {
    this.json = json;
  }

  /** A record from an already validated object, e.g. one built by the prepare commands. */
  public static TrainRecord of(ObjectNode json) {
    return new TrainRecord(json.deepCopy());
  }

  public String query() {
    return json.get("query").asText();
  }

  public List<String> pos() {
    return texts("pos");
  }

  /** The negatives, or an empty list when the record has no {@code neg} key (allowed before mining). */
  public List<String> neg() {
    return texts("neg");
  }

  /** {@code pos_scores}, or null when absent. */
  public List<Float> posScores() {
    return scores("pos_scores");
  }

  /** {@code neg_scores}, or null when absent. */
  public List<Float> negScores() {
    return scores("neg_scores");
  }

  /** Whether the record has a {@code pos_scores} or {@code neg_scores} field at all (null counts as absent). */
  public boolean hasScores() {
    return present("pos_scores") || present("neg_scores");
  }

  private boolean present(String field) {
    JsonNode n = json.get(field);
    return n != null && !n.isNull();
  }

  /** The per-record query instruction, or null. */
  public String prompt() {
    JsonNode p = json.get("prompt");
    return p == null || p.isNull() ? null : p.asText();
  }

  /** The record's task type (e.g. {@code normal}, {@code symmetric_sts}), or null. */
  public String type() {
    JsonNode t = json.get("type");
    return t == null || t.isNull() ? null : t.asText();
  }

  /** A copy of the whole object, every field in its original order. */
  public ObjectNode json() {
    return json.deepCopy();
  }

  /** A copy with {@code neg} replaced; {@code neg} keeps its position when it existed, else it is appended. */
  public TrainRecord withNeg(List<String> neg) {
    ObjectNode copy = json.deepCopy();
    ArrayNode array = copy.putArray("neg");
    neg.forEach(array::add);
    return new TrainRecord(copy);
  }

  /** A copy without {@code pos_scores} and {@code neg_scores} (stale once {@code neg} changes, spec §1.2 step 8). */
  public TrainRecord withoutScores() {
    ObjectNode copy = json.deepCopy();
    copy.remove("pos_scores");
    copy.remove("neg_scores");
    return new TrainRecord(copy);
  }

  /**
   * A copy with {@code pos_scores}/{@code neg_scores} set. They must align 1:1 with {@code pos}/{@code neg} and be
   * finite: JSON has no NaN, and a NaN teacher score would poison the distillation softmax.
   */
  public TrainRecord withScores(List<Float> posScores, List<Float> negScores) {
    requireAligned("pos_scores", posScores, pos().size());
    requireAligned("neg_scores", negScores, neg().size());
    ObjectNode copy = json.deepCopy();
    ArrayNode p = copy.putArray("pos_scores");
    posScores.forEach(p::add);
    ArrayNode n = copy.putArray("neg_scores");
    negScores.forEach(n::add);
    return new TrainRecord(copy);
  }

  /** One JSON line, no newline; non-ASCII text is written as is (FlagEmbedding's {@code ensure_ascii=False}). */
  public String toJsonLine() {
    try {
      return JSON.writeValueAsString(json);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TrainRecord r && r.json.equals(json);
  }

  @Override
  public int hashCode() {
    return json.hashCode();
  }

  @Override
  public String toString() {
    return toJsonLine();
  }

  private List<String> texts(String field) {
    JsonNode array = json.get(field);
    if (array == null || array.isNull()) {
      return List.of();
    }
    List<String> out = new ArrayList<>(array.size());
    array.forEach(n -> out.add(n.asText()));
    return Collections.unmodifiableList(out);
  }

  private List<Float> scores(String field) {
    JsonNode array = json.get(field);
    if (array == null || array.isNull()) {
      return null;
    }
    List<Float> out = new ArrayList<>(array.size());
    array.forEach(n -> out.add(n.floatValue()));
    return Collections.unmodifiableList(out);
  }

  private static void requireAligned(String field, List<Float> scores, int expected) {
    if (scores.size() != expected) {
      throw new IllegalArgumentException(field + " has " + scores.size() + " values for " + expected + " texts");
    }
    for (Float s : scores) {
      if (s == null || !Float.isFinite(s)) {
        throw new IllegalArgumentException(field + " must be finite numbers, got " + s);
      }
    }
  }
}
