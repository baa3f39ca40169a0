package io.m3spark.train.data;

/**
 * Where the data stream stands: the next batch to train is step {@code step} (0-based) of epoch {@code epoch}. Saved
 * with a checkpoint as {@code epoch:step}; since plans are pure functions of (seed, epoch), resuming at a position
 * replays exactly what an uninterrupted run would have seen from there.
 */
public record DataPosition(int epoch, int step) {
  public static final DataPosition START = new DataPosition(0, 0);

  public DataPosition {
    if (epoch < 0 || step < 0) {
      throw new IllegalArgumentException("negative data position " + epoch + ":" + step);
    }
  }

  /** Parses what {@link #toString()} wrote. */
  public static DataPosition parse(String text) {
    int colon = text.indexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("data position must be epoch:step, got " + text);
    }
    return new DataPosition(Integer.parseInt(text.substring(0, colon).trim()),
        Integer.parseInt(text.substring(colon + 1).trim()));
  }

  @Override
  public String toString() {
    return epoch + ":" + step;
  }
}
