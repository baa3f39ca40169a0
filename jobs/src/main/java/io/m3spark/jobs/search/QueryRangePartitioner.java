package io.m3spark.jobs.search;

import org.apache.spark.Partitioner;

/**
 * Sends query positions 0..n-1 to partitions in contiguous ranges, so that the merged results come out in query order
 * after sorting each partition locally: one shuffle, instead of a merge shuffle plus a {@code sortByKey} shuffle and its
 * sampling job.
 */
final class QueryRangePartitioner extends Partitioner {
  private static final long serialVersionUID = 1L;

  private final int partitions;
  private final long perPartition;

  QueryRangePartitioner(long queries, int partitions) {
    this.partitions = partitions;
    this.perPartition = Math.max(1, (queries + partitions - 1) / partitions);
  }

  @Override
  public int numPartitions() {
    return partitions;
  }

  @Override
  public int getPartition(Object key) {
    return (int) Math.min(partitions - 1, (Long) key / perPartition);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof QueryRangePartitioner p && p.partitions == partitions && p.perPartition == perPartition;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(perPartition) * 31 + partitions;
  }
}
