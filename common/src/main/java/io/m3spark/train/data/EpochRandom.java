package io.m3spark.train.data;

import io.m3spark.mining.RecordRandom;
import java.util.SplittableRandom;

/** The generator of one epoch's plan: derived from (seed, epoch) alone, so any epoch can be re-planned on resume. */
final class EpochRandom {
  private EpochRandom() {}

  static SplittableRandom of(long seed, int epoch) {
    // a different stream from GroupSampler.randomFor's, which derives from the same (seed, epoch) pair
    return RecordRandom.forRecord(~seed, epoch);
  }
}
