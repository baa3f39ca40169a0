package io.m3spark.mining;

import java.util.SplittableRandom;

/**
 * The random generator of one record, derived from (seed, the record's 0-based index in the input) only. The output
 * for a record therefore does not depend on how Spark partitions or orders the work, nor on other records — unlike
 * FlagEmbedding, which never seeds {@code random} (spec §1.2 step 9).
 */
public final class RecordRandom {
  private RecordRandom() {}

  /** A generator for record {@code recordIndex} under {@code seed}; same inputs, same sequence, on any JVM. */
  public static SplittableRandom forRecord(long seed, long recordIndex) {
    // Two rounds of the splitmix64 finaliser so that neighbouring (seed, index) pairs give unrelated streams.
    return new SplittableRandom(mix(mix(seed) ^ recordIndex));
  }

  static long mix(long z) {
    z += 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
