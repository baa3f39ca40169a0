package io.m3spark.train.data;

import io.m3spark.io.ParsedLine;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.RandomAccess;

/**
 * The records of one or more indexed files, concatenated in the given order, as a read-only list that reads each
 * record from disk when asked ({@link IndexedFile#read}): what a {@link TrainDataset} holds for real data. Safe to
 * read from many threads.
 */
final class IndexedRecords extends AbstractList<ParsedLine.Good> implements RandomAccess {
  private final List<IndexedFile> files;
  private final int[] firstRecord;
  private final int size;

  IndexedRecords(List<IndexedFile> files) {
    this.files = List.copyOf(files);
    firstRecord = new int[files.size()];
    long total = 0;
    for (int f = 0; f < files.size(); f++) {
      firstRecord[f] = (int) total;
      total += files.get(f).size();
    }
    if (total > Integer.MAX_VALUE) {
      throw new TrainDataException("more than " + Integer.MAX_VALUE + " records in one dataset: " + total);
    }
    size = (int) total;
  }

  List<IndexedFile> files() {
    return files;
  }

  @Override
  public ParsedLine.Good get(int index) {
    if (index < 0 || index >= size) {
      throw new IndexOutOfBoundsException(index + " outside " + size + " records");
    }
    int f = Arrays.binarySearch(firstRecord, index);
    if (f < 0) {
      f = -f - 2; // the last file starting before index
    }
    while (f + 1 < firstRecord.length && firstRecord[f + 1] == index) {
      f++; // skip empty files that start at the same record
    }
    return files.get(f).read(index - firstRecord[f]);
  }

  @Override
  public int size() {
    return size;
  }
}
