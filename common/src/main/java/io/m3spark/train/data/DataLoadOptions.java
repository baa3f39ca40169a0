package io.m3spark.train.data;

import java.nio.file.Path;

/**
 * The data arguments of {@code m3spark train} (spec §4.1, §4.4) that decide which records are loaded and what each must
 * contain, plus our two additions for large inputs.
 *
 * @param groupSize G, the default {@code train_group_size}; records of a file whose groups have more than one passage
 *     need at least one negative
 * @param knowledgeDistillation whether teacher scores are needed: in normal mode on every record, in same-dataset mode
 *     on every record of a file whose first record has them (files without train without a teacher, §4.4)
 * @param sameDatasetWithinBatch same-dataset mode (§4.4): each file its own dataset
 * @param smallThreshold same-dataset mode: files with fewer records are pooled (in a folder) or skipped (given directly)
 * @param dropThreshold same-dataset mode: a pool with fewer records is dropped
 * @param skipBadRecords {@code --skip_bad_records}: skip and count bad records instead of stopping at the first
 * @param quarantineDir where skipped records are written ({@value #QUARANTINE_FILE}), or null; give it on
 *     one rank only, since every rank loads the same data
 * @param cachePath {@code --cache_path}: where the validated offset index of each file is kept, so a restarted job
 *     skips re-validation; null for none
 */
public record DataLoadOptions(int groupSize, boolean knowledgeDistillation, boolean sameDatasetWithinBatch,
    int smallThreshold, int dropThreshold, boolean skipBadRecords, Path quarantineDir, Path cachePath) {
  /** The quarantine file's name in {@link #quarantineDir}. */
  public static final String QUARANTINE_FILE = "bad-records.jsonl";

  public DataLoadOptions {
    if (groupSize < 1) {
      throw new IllegalArgumentException("train_group_size must be >= 1, got " + groupSize);
    }
    if (smallThreshold < 0 || dropThreshold < 0) {
      throw new IllegalArgumentException("small_threshold and drop_threshold must be >= 0, got " + smallThreshold
          + ", " + dropThreshold);
    }
    if (quarantineDir != null && !skipBadRecords) {
      throw new IllegalArgumentException("a quarantine folder needs skip_bad_records (strict loading stops at the "
          + "first bad record)");
    }
  }

  /** FlagEmbedding's defaults: G = 8, no distillation, normal mode, thresholds 0, strict, no cache. */
  public static DataLoadOptions defaults() {
    return new DataLoadOptions(8, false, false, 0, 0, false, null, null);
  }

  public DataLoadOptions withGroupSize(int g) {
    return new DataLoadOptions(g, knowledgeDistillation, sameDatasetWithinBatch, smallThreshold, dropThreshold,
        skipBadRecords, quarantineDir, cachePath);
  }

  public DataLoadOptions withKnowledgeDistillation(boolean kd) {
    return new DataLoadOptions(groupSize, kd, sameDatasetWithinBatch, smallThreshold, dropThreshold, skipBadRecords,
        quarantineDir, cachePath);
  }

  /** Same-dataset mode with its two thresholds. */
  public DataLoadOptions withSameDataset(int small, int drop) {
    return new DataLoadOptions(groupSize, knowledgeDistillation, true, small, drop, skipBadRecords, quarantineDir,
        cachePath);
  }

  /** Lenient loading; {@code quarantine} may be null. */
  public DataLoadOptions withSkipBadRecords(Path quarantine) {
    return new DataLoadOptions(groupSize, knowledgeDistillation, sameDatasetWithinBatch, smallThreshold,
        dropThreshold, true, quarantine, cachePath);
  }

  public DataLoadOptions withCachePath(Path cache) {
    return new DataLoadOptions(groupSize, knowledgeDistillation, sameDatasetWithinBatch, smallThreshold,
        dropThreshold, skipBadRecords, quarantineDir, cache);
  }
}
