package io.m3spark.jobs.embed;

import java.io.Serializable;

/**
 * Where a record came from. {@code order} sorts records in input order: the file's place in the input in the high bits, the
 * 1-based line (JSONL) or row (Parquet) number in the low 40 bits.
 */
public record SourcePosition(String file, long number, boolean parquetRow) implements Serializable {

  static final int NUMBER_BITS = 40;

  public static long order(int fileIndex, long number) {
    return ((long) fileIndex << NUMBER_BITS) | number;
  }

  /** {@code file:12} for a JSONL line, {@code file:row 12} for a Parquet row. */
  @Override
  public String toString() {
    return file + (parquetRow ? ":row " : ":") + number;
  }
}
