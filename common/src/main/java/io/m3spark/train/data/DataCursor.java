package io.m3spark.train.data;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * One rank's walk through {@code epochs} epochs of a plan, from a saved {@link DataPosition}. {@link #position()} is
 * what to save: the position of the batch {@link #next()} will return.
 */
public final class DataCursor implements Iterator<PlannedBatch> {
  private final EpochPlan plan;
  private final int rank;
  private final int epochs;
  private int epoch;
  private int step;
  private List<PlannedBatch> current;

  public DataCursor(EpochPlan plan, int rank, int epochs, DataPosition start) {
    this.plan = plan;
    this.rank = rank;
    this.epochs = epochs;
    this.epoch = start.epoch();
    this.step = start.step();
  }

  public DataPosition position() {
    return new DataPosition(epoch, step);
  }

  @Override
  public boolean hasNext() {
    // skip epochs with nothing to train (a position saved at an epoch's end, or datasets smaller than one chunk)
    while (epoch < epochs && step >= plan.steps(epoch)) {
      epoch++;
      step = 0;
      current = null;
    }
    return epoch < epochs;
  }

  @Override
  public PlannedBatch next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    if (current == null) {
      current = plan.batches(epoch, rank);
    }
    return current.get(step++);
  }
}
