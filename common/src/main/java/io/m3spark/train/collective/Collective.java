package io.m3spark.train.collective;

/**
 * Collective communication between the W ranks of a data-parallel training run: gradients are averaged with
 * {@link #allReduceMean}, cross-device negatives are shared with {@link #allGather}. Every rank must call the same
 * operations in the same order with arrays of the same length (allGather blocks may differ in length). An instance
 * is used by one thread at a time.
 */
public interface Collective extends AutoCloseable {

  /** This rank, 0 to {@code worldSize() - 1}. */
  int rank();

  int worldSize();

  /**
   * Replaces {@code data} with the element-wise mean over all ranks. Every rank ends with bit-identical values, and
   * the order in which values are summed is fixed by the ranks, never by timing, so a rerun gives the same floats.
   *
   * @throws CollectiveException when a peer fails, disconnects or stays silent past the timeout
   */
  void allReduceMean(float[] data);

  /**
   * Every rank's block, indexed by rank; {@code result[rank()]} is a copy of {@code mine}.
   *
   * @throws CollectiveException when a peer fails, disconnects or stays silent past the timeout
   */
  float[][] allGather(float[] mine);

  /**
   * Returns once every rank has called it.
   *
   * @throws CollectiveException when a peer fails, disconnects or stays silent past the timeout
   */
  void barrier();

  /** Releases sockets and threads; it does not wait for the other ranks. */
  @Override
  void close();
}
