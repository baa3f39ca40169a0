package io.m3spark.jobs.embed;

import java.util.Locale;

/**
 * What {@code m3spark embed} did.
 *
 * @param read records read (blank JSONL lines are not records)
 * @param embedded texts embedded and written
 * @param quarantined bad records skipped (duplicate ids included)
 * @param duplicateIds records whose id appeared earlier in the input
 * @param truncated texts longer than max_length, cut to it
 * @param longestText tokens in the longest text, before truncation
 * @param output the output folder
 * @param embedSeconds time of the embedding stage; {@code totalSeconds} covers reading, checks and writing too
 */
public record EmbedResult(long read, long embedded, long quarantined, long duplicateIds, long truncated, int longestText,
    long tokens, int denseDim, String output, String modelFingerprint, double embedSeconds, double totalSeconds) {

  public double textsPerSecond() {
    return embedSeconds > 0 ? embedded / embedSeconds : 0;
  }

  public double tokensPerSecond() {
    return embedSeconds > 0 ? tokens / embedSeconds : 0;
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT,
        "embedded %d of %d records into %s (%d quarantined, %d duplicate ids, %d truncated, longest %d tokens); "
            + "%.1f texts/s, %.0f tokens/s; embedding %.1f s, total %.1f s",
        embedded, read, output, quarantined, duplicateIds, truncated, longestText, textsPerSecond(), tokensPerSecond(),
        embedSeconds, totalSeconds);
  }
}
