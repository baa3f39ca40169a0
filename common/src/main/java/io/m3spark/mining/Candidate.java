package io.m3spark.mining;

import java.io.Serializable;

/**
 * One hit of the exact top-K search for a query: the passage text and its dense score. A ranked list is the hits in
 * descending score order, position 0 first; a list shorter than K means the corpus had fewer than K passages
 * (FlagEmbedding stops at faiss's {@code -1} padding).
 */
public record Candidate(String text, float score) implements Serializable {
  public Candidate {
    if (text == null) {
      throw new IllegalArgumentException("candidate text is null");
    }
  }
}
