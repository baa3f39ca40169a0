package io.m3spark.train.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns a {@link PlannedBatch} into groups and a tokenised {@link TrainBatch}. Each record is sampled with its own
 * generator from (seed, epoch, record), so a batch is the same whichever rank builds it, and after a resume.
 */
public final class BatchAssembler {
  private final List<TrainDataset> datasets;
  private final long[] firstRecord;
  private final GroupSampler sampler;
  private final Collator collator;
  private final long seed;

  /** @param datasets in the order the plan numbers them (name-sorted for same-dataset mode) */
  public BatchAssembler(List<TrainDataset> datasets, GroupSampler sampler, Collator collator, long seed) {
    this.datasets = List.copyOf(datasets);
    this.sampler = sampler;
    this.collator = collator;
    this.seed = seed;
    // a run-wide record number per (dataset, index), so no two records share a random stream
    firstRecord = new long[datasets.size()];
    for (int d = 1; d < datasets.size(); d++) {
      firstRecord[d] = firstRecord[d - 1] + datasets.get(d - 1).records().size();
    }
  }

  public List<TrainGroup> groups(int epoch, PlannedBatch planned) {
    TrainDataset dataset = datasets.get(planned.dataset());
    List<TrainGroup> out = new ArrayList<>();
    for (int i : planned.records()) {
      out.add(sampler.sample(dataset.records().get(i), planned.groupSize(),
          GroupSampler.randomFor(seed, epoch, firstRecord[planned.dataset()] + i)));
    }
    return out;
  }

  public TrainBatch assemble(int epoch, PlannedBatch planned) {
    return collator.collate(groups(epoch, planned), planned.noInBatchNeg());
  }
}
