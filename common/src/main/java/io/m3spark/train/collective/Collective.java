package io.m3spark.train.collective;

/**
 * Collective communication between the W ranks of a data-parallel training run: gradients are averaged with
 * {@link #allReduceMean}, cross-device negatives are shared with {@link #allGather}. Every rank must call the same
 * operations in the same order with arrays of the same length (allGather blocks may differ in length, up to a bound
 * the caller states). An instance is used by one thread at a time.
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
   * @param maxBlockLength the longest block any rank may send, as the operation defines it (e.g. B × hidden size for
   *     the batch's query vectors); a longer block from a peer fails before anything is allocated for it
   * @throws CollectiveException when a peer fails, disconnects, stays silent past the timeout or announces a block
   *     longer than {@code maxBlockLength}
   * @throws IllegalArgumentException when {@code mine} itself is longer than {@code maxBlockLength}
   */
  float[][] allGather(float[] mine, int maxBlockLength);

  /**
   * Returns once every rank has called it.
   *
   * @throws CollectiveException when a peer fails, disconnects or stays silent past the timeout
   */
  void barrier();

  /** Releases sockets and threads; it does not wait for the other ranks. */
  @Override
  void close();

  /** For implementations of {@link #allGather}: the caller's own block must respect the bound it states. */
  static void checkBlockLength(float[] mine, int maxBlockLength) {
    if (mine.length > maxBlockLength) {
      throw new IllegalArgumentException("allGather: this rank's block has " + mine.length
          + " floats, more than the stated maximum " + maxBlockLength);
    }
  }
}
