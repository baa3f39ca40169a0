package io.m3spark.train.data;

/**
 * What same-dataset planning needs to know about one dataset (spec §4.4): a file, or the merged pool of a folder's
 * small files.
 *
 * @param name a stable name (the file path, or the folder path plus a pool marker); datasets are ordered by it
 * @param size number of records
 * @param batchSize per-device batch size for this dataset
 * @param groupSize passages per query for this dataset
 * @param noInBatchNeg whether the data is marked {@code no_in_batch_neg}
 */
public record DatasetSpec(String name, int size, int batchSize, int groupSize, boolean noInBatchNeg) {
  public DatasetSpec {
    if (size < 0 || batchSize < 1 || groupSize < 1) {
      throw new IllegalArgumentException("bad dataset " + name + ": size " + size + ", batch size " + batchSize
          + ", group size " + groupSize);
    }
  }
}
