package io.m3spark.train.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Normal mode (spec §4.3): the record indices shuffled with the epoch's generator, cut into global batches of
 * {@code perDeviceBatch × worldSize}; rank r takes the r-th contiguous slice of each.
 *
 * <p>{@code dropLast} (HF {@code dataloader_drop_last}) drops an incomplete last global batch, so each record is seen
 * at most once per epoch. Without it the last global batch is topped up with records from the start of the epoch's
 * order (as torch's {@code DistributedSampler} pads) to the next multiple of the world size and split evenly: every
 * rank then has the same number of steps and a non-empty last batch, and each record is seen at least once.
 */
final class ShuffledEpochPlan implements EpochPlan {
  private final int records;
  private final int perDeviceBatch;
  private final int worldSize;
  private final boolean dropLast;
  private final int groupSize;
  private final long seed;

  ShuffledEpochPlan(int records, int perDeviceBatch, int worldSize, boolean dropLast, int groupSize, long seed) {
    if (records < 1 || perDeviceBatch < 1 || worldSize < 1) {
      throw new IllegalArgumentException("need records, batch size and world size >= 1, got " + records + ", "
          + perDeviceBatch + ", " + worldSize);
    }
    this.records = records;
    this.perDeviceBatch = perDeviceBatch;
    this.worldSize = worldSize;
    this.dropLast = dropLast;
    this.groupSize = groupSize;
    this.seed = seed;
  }

  @Override
  public int steps(int epoch) {
    int global = perDeviceBatch * worldSize;
    return dropLast ? records / global : (records + global - 1) / global;
  }

  @Override
  public List<PlannedBatch> batches(int epoch, int rank) {
    if (rank < 0 || rank >= worldSize) {
      throw new IllegalArgumentException("rank " + rank + " outside world size " + worldSize);
    }
    int[] order = Shuffles.permutation(records, EpochRandom.of(seed, epoch));
    int global = perDeviceBatch * worldSize;
    int steps = steps(epoch);
    List<PlannedBatch> out = new ArrayList<>(steps);
    for (int s = 0; s < steps; s++) {
      int start = s * global;
      int size = Math.min(global, records - start);
      int perRank = size == global ? perDeviceBatch : (size + worldSize - 1) / worldSize;
      int[] mine = new int[perRank];
      for (int i = 0; i < perRank; i++) {
        // positions past the end wrap to the start of this epoch's order: the top-up described above
        mine[i] = order[(start + rank * perRank + i) % records];
      }
      out.add(new PlannedBatch(0, mine, groupSize, false));
    }
    return out;
  }
}
