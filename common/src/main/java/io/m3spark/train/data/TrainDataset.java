package io.m3spark.train.data;

import io.m3spark.io.ParsedLine;
import java.util.List;

/**
 * Records with the settings they are planned under. Each record keeps its file and line, so any later error can point
 * at it. Loaded data holds its records on disk and reads them on demand (see {@link TrainDataLoader}), so the list may
 * be read by many threads but should not be copied; a list built in memory (tests, small tools) is copied here.
 */
public record TrainDataset(DatasetSpec spec, List<ParsedLine.Good> records) {
  public TrainDataset {
    records = records instanceof IndexedRecords ? records : List.copyOf(records);
    if (records.size() != spec.size()) {
      throw new IllegalArgumentException(spec.name() + ": spec says " + spec.size() + " records, got " + records.size());
    }
  }
}
