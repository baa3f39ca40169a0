package io.m3spark.train.collective;

/** The collective of a single rank (W = 1): training runs the same code as on W GPUs, and every operation is a no-op. */
public final class LocalCollective implements Collective {

  @Override
  public int rank() {
    return 0;
  }

  @Override
  public int worldSize() {
    return 1;
  }

  @Override
  public void allReduceMean(float[] data) {
    // the mean over one rank is the data itself
  }

  @Override
  public float[][] allGather(float[] mine, int maxBlockLength) {
    Collective.checkBlockLength(mine, maxBlockLength);
    return new float[][] {mine.clone()};
  }

  @Override
  public void barrier() {}

  @Override
  public void close() {}
}
