package io.m3spark.jobs.embed;

import java.io.Serializable;

/** Totals over the embedded records, computed on the executors with one aggregate over the cached result. */
public record EmbedStats(long texts, long tokens, long truncated, int longestText, int denseDim, int colbertDim)
    implements Serializable {

  public static final EmbedStats EMPTY = new EmbedStats(0, 0, 0, 0, 0, 0);

  public EmbedStats add(EmbeddedRecord r) {
    return new EmbedStats(texts + 1, tokens + r.numTokens(), truncated + (r.truncated() ? 1 : 0),
        Math.max(longestText, r.fullLength()), r.dense() != null ? r.dense().length : denseDim,
        r.colbert() != null && r.colbert().length > 0 ? r.colbert()[0].length : colbertDim);
  }

  public EmbedStats merge(EmbedStats o) {
    return new EmbedStats(texts + o.texts, tokens + o.tokens, truncated + o.truncated,
        Math.max(longestText, o.longestText), Math.max(denseDim, o.denseDim), Math.max(colbertDim, o.colbertDim));
  }
}
