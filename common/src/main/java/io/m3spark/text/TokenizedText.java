package io.m3spark.text;

/**
 * One tokenised text: {@code ids} include the special tokens and are already truncated; {@code fullLength} is the
 * untruncated length (specials included), so callers can count truncations.
 */
public record TokenizedText(int[] ids, int fullLength) {

  public TokenizedText {
    if (ids == null || ids.length == 0) {
      throw new IllegalArgumentException("a tokenised text needs at least one id");
    }
    if (fullLength < ids.length) {
      throw new IllegalArgumentException("fullLength " + fullLength + " < ids.length " + ids.length);
    }
  }

  /** A text that was not truncated. */
  public static TokenizedText of(int... ids) {
    return new TokenizedText(ids, ids.length);
  }

  public int length() {
    return ids.length;
  }

  public boolean truncated() {
    return fullLength > ids.length;
  }
}
