package io.m3spark.train.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads {@code --train_data} (spec §4.3, §4.4): resolves the paths, validates every record once, up front, against
 * what training will need of it (so a record without negatives or teacher scores stops the job at load with its
 * file:line and field, not hours in when it is sampled), and keeps only each good record's place in its file.
 *
 * <p>Strict by default: the first bad record stops the load. With {@link DataLoadOptions#skipBadRecords()} bad records
 * are skipped, counted, quarantined and summarised in the log. Record numbers are the good records' positions in the
 * sorted files, a pure function of the files and the options, so every rank numbers them alike and plans agree.
 */
public final class TrainDataLoader {
  private static final Logger LOG = LoggerFactory.getLogger(TrainDataLoader.class);

  private final DataLoadOptions options;

  public TrainDataLoader(DataLoadOptions options) {
    this.options = options;
  }

  /** Loads {@code paths}; {@code perDeviceBatch} is the per-device batch size (same-dataset files may override it). */
  public TrainData load(List<Path> paths, int perDeviceBatch) throws IOException {
    if (perDeviceBatch < 1) {
      throw new IllegalArgumentException("per_device_train_batch_size must be >= 1, got " + perDeviceBatch);
    }
    try (BadRecordLog log = new BadRecordLog(options.skipBadRecords(), options.quarantineDir())) {
      List<TrainDataset> datasets = options.sameDatasetWithinBatch()
          ? new SameDatasetLoader(options, perDeviceBatch).load(paths, log)
          : List.of(concatenated(paths, perDeviceBatch, log));
      log.commit();
      BadRecordSummary skipped = log.summary();
      if (skipped.total() > 0) {
        LOG.warn("train_data: {}{}", skipped.describe(), options.quarantineDir() == null ? ""
            : " (written to " + options.quarantineDir().resolve(DataLoadOptions.QUARANTINE_FILE) + ")");
      }
      if (datasets.stream().mapToInt(d -> d.spec().size()).sum() == 0) {
        throw new TrainDataException("no training records in " + paths
            + (skipped.total() > 0 ? " (" + skipped.describe() + ")" : ""));
      }
      return new TrainData(datasets, skipped);
    }
  }

  /** Normal mode: all files concatenated, in sorted order, into dataset 0. */
  private TrainDataset concatenated(List<Path> paths, int perDeviceBatch, BadRecordLog log) throws IOException {
    FileIndexer indexer = new FileIndexer(options, first -> options.groupSize());
    List<IndexedFile> files = new ArrayList<>();
    for (Path f : TrainDataFiles.resolve(paths)) {
      files.add(indexer.index(f, log));
    }
    IndexedRecords records = new IndexedRecords(files);
    return new TrainDataset(new DatasetSpec("all", records.size(), perDeviceBatch, options.groupSize(), false),
        records);
  }
}
