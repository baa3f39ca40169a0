package io.m3spark.jobs.embed;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts texts sorted by token count (longest first, as FlagEmbedding sorts them) into batches whose padded size
 * (texts x longest text) stays within a token budget and that hold at most {@code maxTexts} texts. Long texts thus run in
 * small batches and short texts in large ones, keeping the work per forward pass about even. A single text longer than the
 * budget still gets a batch of its own.
 */
public final class TokenBudgetBatcher {

  /** A batch: positions {@code [start, end)} of the sorted list. */
  public record Batch(int start, int end) {
    public int size() {
      return end - start;
    }
  }

  private final int maxTexts;
  private final long maxPaddedTokens;

  public TokenBudgetBatcher(int maxTexts, long maxPaddedTokens) {
    if (maxTexts <= 0 || maxPaddedTokens <= 0) {
      throw new IllegalArgumentException("batch limits must be positive: " + maxTexts + " texts, " + maxPaddedTokens
          + " tokens");
    }
    this.maxTexts = maxTexts;
    this.maxPaddedTokens = maxPaddedTokens;
  }

  /** @param lengthsDescending token counts, longest first */
  public List<Batch> batches(int[] lengthsDescending) {
    List<Batch> batches = new ArrayList<>();
    int start = 0;
    while (start < lengthsDescending.length) {
      long longest = Math.max(1, lengthsDescending[start]);
      int fit = (int) Math.max(1, Math.min(maxTexts, maxPaddedTokens / longest));
      int end = Math.min(lengthsDescending.length, start + fit);
      batches.add(new Batch(start, end));
      start = end;
    }
    return batches;
  }
}
