package io.m3spark.train.data;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Same-dataset mode (spec §4.4 {@code refresh_epoch}), with the epoch's generator: the datasets (first sorted by name,
 * so the listing order of files does not matter) are shuffled; each dataset's indices are shuffled and cut into chunks
 * of {@code batchSize × worldSize}, the incomplete last chunk dropped; the list of all chunks is shuffled; at every
 * step rank r takes the r-th slice of that step's chunk, so all ranks train on the same dataset at the same step.
 *
 * <p>Dataset numbers in {@link PlannedBatch#dataset()} index the name-sorted list, see {@link #datasets()}.
 */
final class SameDatasetEpochPlan implements EpochPlan {
  private final List<DatasetSpec> datasets;
  private final int worldSize;
  private final long seed;

  SameDatasetEpochPlan(List<DatasetSpec> datasets, int worldSize, long seed) {
    if (worldSize < 1) {
      throw new IllegalArgumentException("world size must be >= 1, got " + worldSize);
    }
    this.datasets = datasets.stream().sorted(Comparator.comparing(DatasetSpec::name)).toList();
    this.worldSize = worldSize;
    this.seed = seed;
  }

  List<DatasetSpec> datasets() {
    return datasets;
  }

  @Override
  public int steps(int epoch) {
    int steps = 0;
    for (DatasetSpec d : datasets) {
      steps += d.size() / (d.batchSize() * worldSize);
    }
    return steps;
  }

  @Override
  public List<PlannedBatch> batches(int epoch, int rank) {
    if (rank < 0 || rank >= worldSize) {
      throw new IllegalArgumentException("rank " + rank + " outside world size " + worldSize);
    }
    SplittableRandom random = EpochRandom.of(seed, epoch);
    int[] datasetOrder = Shuffles.permutation(datasets.size(), random);
    List<Chunk> chunks = new ArrayList<>();
    for (int d : datasetOrder) {
      DatasetSpec spec = datasets.get(d);
      int[] order = Shuffles.permutation(spec.size(), random);
      int chunkSize = spec.batchSize() * worldSize;
      for (int start = 0; start + chunkSize <= order.length; start += chunkSize) {
        chunks.add(new Chunk(d, order, start));
      }
    }
    Shuffles.shuffle(chunks, random);
    List<PlannedBatch> out = new ArrayList<>(chunks.size());
    for (Chunk c : chunks) {
      DatasetSpec spec = datasets.get(c.dataset);
      int[] mine = new int[spec.batchSize()];
      System.arraycopy(c.order, c.start + rank * spec.batchSize(), mine, 0, mine.length);
      out.add(new PlannedBatch(c.dataset, mine, spec.groupSize(), spec.noInBatchNeg()));
    }
    return out;
  }

  /** {@code batchSize × worldSize} consecutive entries of a dataset's shuffled order, from {@code start}. */
  private record Chunk(int dataset, int[] order, int start) {}
}
