package io.m3spark.train.data;

import java.util.Arrays;

/**
 * One rank's batch at one step: which records of which dataset to sample, with the group size and in-batch-negative
 * setting of that dataset. In normal mode there is a single dataset, 0, the concatenation of all files.
 */
public record PlannedBatch(int dataset, int[] records, int groupSize, boolean noInBatchNeg) {
  public PlannedBatch {
    records = records.clone();
  }

  @Override
  public int[] records() {
    return records.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PlannedBatch p && p.dataset == dataset && Arrays.equals(p.records, records)
        && p.groupSize == groupSize && p.noInBatchNeg == noInBatchNeg;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(records) * 31 + dataset;
  }

  @Override
  public String toString() {
    return "PlannedBatch[dataset=" + dataset + ", records=" + Arrays.toString(records) + ", groupSize="
        + groupSize + ", noInBatchNeg=" + noInBatchNeg + "]";
  }
}
