package io.m3spark.jobs.embed;

import io.m3spark.model.Embedding;
import java.util.Map;

/**
 * Refuses an embedding that holds a NaN or an infinity before anything is written or searched. Such a vector comes from
 * broken weights or an overflow in half precision, never from a text; written out, its NaN scores would rank it above
 * every real passage in a search that compares floats naively. Every job that embeds (embed, mine, evaluate) goes
 * through {@link PartitionEmbedder}, which checks each result here.
 */
final class FiniteEmbedding {
  private FiniteEmbedding() {}

  /** @throws IllegalStateException naming the record's id (and file:line) and the representation at fault */
  static void check(TextRecord record, Embedding embedding) {
    if (embedding.dense() != null) {
      check(record, "dense vector", embedding.dense());
    }
    if (embedding.colbert() != null) {
      for (float[] token : embedding.colbert()) {
        check(record, "colbert vectors", token);
      }
    }
    if (embedding.sparse() != null) {
      for (Map.Entry<Integer, Float> weight : embedding.sparse().entrySet()) {
        if (!Float.isFinite(weight.getValue())) {
          throw refused(record, "lexical weight of token " + weight.getKey(), weight.getValue());
        }
      }
    }
  }

  private static void check(TextRecord record, String what, float[] values) {
    for (float v : values) {
      if (!Float.isFinite(v)) {
        throw refused(record, what, v);
      }
    }
  }

  private static IllegalStateException refused(TextRecord record, String what, float value) {
    String where = record.position() == null ? "" : " (" + record.position() + ")";
    return new IllegalStateException("the model produced " + value + " in the " + what + " of id '" + record.id()
        + "'" + where + ": refusing to write a non-finite embedding; check the model's weights (or use fp32 if it"
        + " overflows in fp16)");
  }
}
