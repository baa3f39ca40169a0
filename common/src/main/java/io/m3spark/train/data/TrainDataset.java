package io.m3spark.train.data;

import io.m3spark.io.ParsedLine;
import java.util.List;

/**
 * Loaded records with the settings they are planned under. Each record keeps its file and line, so any later error
 * (no negatives, missing teacher scores) can point at it.
 */
public record TrainDataset(DatasetSpec spec, List<ParsedLine.Good> records) {
  public TrainDataset {
    records = List.copyOf(records);
    if (records.size() != spec.size()) {
      throw new IllegalArgumentException(spec.name() + ": spec says " + spec.size() + " records, got " + records.size());
    }
  }
}
