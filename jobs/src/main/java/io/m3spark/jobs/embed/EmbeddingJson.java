package io.m3spark.jobs.embed;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;

/**
 * One output line of {@code --output_format jsonl}: {@code {"id": "...", "dense": [...], "sparse": {"<token id>": w},
 * "colbert": [[...]]}}, with only the representations that were asked for. Sparse keys are token ids as strings, as in
 * FlagEmbedding's lexical-weight dicts.
 */
public final class EmbeddingJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private EmbeddingJson() {}

  public static String line(EmbeddedRecord r) {
    ObjectNode node = JSON.createObjectNode();
    node.put("id", r.id());
    if (r.dense() != null) {
      node.set("dense", floats(r.dense()));
    }
    if (r.sparseIds() != null) {
      ObjectNode sparse = node.putObject("sparse");
      for (int i = 0; i < r.sparseIds().length; i++) {
        sparse.put(Integer.toString(r.sparseIds()[i]), r.sparseWeights()[i]);
      }
    }
    if (r.colbert() != null) {
      ArrayNode vectors = node.putArray("colbert");
      for (float[] v : r.colbert()) {
        vectors.add(floats(v));
      }
    }
    try {
      return JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ArrayNode floats(float[] values) {
    ArrayNode array = JSON.createArrayNode();
    for (float v : values) {
      array.add(v);
    }
    return array;
  }
}
