package io.m3spark.jobs.embed;

import java.io.Serializable;

/**
 * One embedded text. Representations that were not asked for are null. The lexical weights are kept as parallel arrays
 * (token ids ascending, weights) because they are smaller to shuffle and cache than a boxed map.
 *
 * @param numTokens tokens the model saw (after truncation)
 * @param fullLength tokens the text has without truncation
 */
public record EmbeddedRecord(long order, String id, float[] dense, int[] sparseIds, float[] sparseWeights,
    float[][] colbert, int numTokens, int fullLength) implements Serializable {

  public boolean truncated() {
    return fullLength > numTokens;
  }
}
