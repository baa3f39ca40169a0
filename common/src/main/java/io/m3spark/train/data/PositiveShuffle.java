package io.m3spark.train.data;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The {@code shuffle_ratio} augmentation (spec §4.1): with probability {@code ratio}, a positive longer than 100
 * characters is cut into 3 chunks whose order is shuffled, rejoined with single spaces.
 *
 * <p>Chunking, as FlagEmbedding's {@code _shuffle_text} does it: with n the length in Unicode code points (Python's
 * {@code len}), the chunk size is {@code n / 3 + 1} (integer division) and chunks are taken left to right, so for
 * n > 100 there are always exactly 3, the last one shorter. Counting code points rather than Java chars keeps a
 * surrogate pair (emoji, rare CJK) from being split. No random number is drawn when the ratio is 0 or the text is
 * short, so such records consume the same random stream as without the augmentation.
 */
final class PositiveShuffle {
  static final int MIN_LENGTH_EXCLUSIVE = 100;
  static final int CHUNKS = 3;

  private PositiveShuffle() {}

  static String apply(String text, double ratio, RandomGenerator random) {
    int n = text.codePointCount(0, text.length());
    if (ratio <= 0 || n <= MIN_LENGTH_EXCLUSIVE || random.nextDouble() >= ratio) {
      return text;
    }
    int chunkSize = n / CHUNKS + 1;
    List<String> chunks = new ArrayList<>(CHUNKS);
    for (int start = 0; start < n; start += chunkSize) {
      int from = text.offsetByCodePoints(0, start);
      int to = text.offsetByCodePoints(0, Math.min(n, start + chunkSize));
      chunks.add(text.substring(from, to));
    }
    Shuffles.shuffle(chunks, random);
    return String.join(" ", chunks);
  }
}
