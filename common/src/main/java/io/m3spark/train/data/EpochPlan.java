package io.m3spark.train.data;

import java.util.List;

/**
 * Which records each rank trains on at each step of an epoch. A plan is a pure function of its settings, the seed and
 * the epoch number — never of earlier epochs or of the order the input files were listed in — so every rank computes
 * the same plan without talking to the others, and a run resumed at a {@link DataPosition} sees exactly the batches an
 * uninterrupted run would have.
 */
public interface EpochPlan {
  /** Steps in {@code epoch}; the same on every rank, so collectives never wait on a rank that ran out. */
  int steps(int epoch);

  /** Rank {@code rank}'s batches for {@code epoch}, in step order. */
  List<PlannedBatch> batches(int epoch, int rank);

  /** Normal mode: one seeded shuffle of all records per epoch (§4.3). */
  static EpochPlan shuffled(int records, int perDeviceBatch, int worldSize, boolean dropLast, int groupSize,
      long seed) {
    return new ShuffledEpochPlan(records, perDeviceBatch, worldSize, dropLast, groupSize, seed);
  }

  /** Same-dataset mode: every step's batches on all ranks come from one dataset (§4.4). */
  static EpochPlan sameDataset(List<DatasetSpec> datasets, int worldSize, long seed) {
    return new SameDatasetEpochPlan(datasets, worldSize, seed);
  }
}
