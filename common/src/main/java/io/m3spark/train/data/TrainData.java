package io.m3spark.train.data;

import java.util.List;

/**
 * What {@link TrainDataLoader} loaded: the datasets in plan order (one, named {@code all}, in normal mode; name-sorted
 * files and pools in same-dataset mode) and what was skipped.
 */
public record TrainData(List<TrainDataset> datasets, BadRecordSummary skipped) {
  public TrainData {
    datasets = List.copyOf(datasets);
  }

  /** The specs to plan with ({@link EpochPlan#sameDataset}). */
  public List<DatasetSpec> specs() {
    return datasets.stream().map(TrainDataset::spec).toList();
  }
}
