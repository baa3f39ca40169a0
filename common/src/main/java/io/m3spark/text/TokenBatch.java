package io.m3spark.text;

import java.util.Arrays;
import java.util.List;

/**
 * A padded batch: {@code ids} and {@code attentionMask} are B×L with L the longest text rounded up to
 * {@code padToMultipleOf}; {@code lengths} are the real (unpadded) lengths. Padding is on the right.
 */
public record TokenBatch(int[][] ids, int[][] attentionMask, int[] lengths) {

  public static TokenBatch pad(List<TokenizedText> texts, int padId, int padToMultipleOf) {
    if (texts.isEmpty()) {
      throw new IllegalArgumentException("empty batch");
    }
    if (padToMultipleOf < 1) {
      throw new IllegalArgumentException("padToMultipleOf must be >= 1, got " + padToMultipleOf);
    }
    int max = 0;
    for (TokenizedText t : texts) {
      max = Math.max(max, t.ids().length);
    }
    int width = (max + padToMultipleOf - 1) / padToMultipleOf * padToMultipleOf;
    int[][] ids = new int[texts.size()][width];
    int[][] mask = new int[texts.size()][width];
    int[] lengths = new int[texts.size()];
    for (int b = 0; b < texts.size(); b++) {
      int[] src = texts.get(b).ids();
      Arrays.fill(ids[b], padId);
      System.arraycopy(src, 0, ids[b], 0, src.length);
      Arrays.fill(mask[b], 0, src.length, 1);
      lengths[b] = src.length;
    }
    return new TokenBatch(ids, mask, lengths);
  }

  public int batchSize() {
    return ids.length;
  }

  public int width() {
    return ids[0].length;
  }
}
