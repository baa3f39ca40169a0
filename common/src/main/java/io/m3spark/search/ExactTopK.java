package io.m3spark.search;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * Exact inner-product top k of query blocks against one corpus shard held on a device: one matmul ({@code B×d · d×N}) and
 * one device {@code topK} per query block, then the exact {@link HitOrder} tie-break on the host.
 *
 * <p><b>Ties.</b> A device topK orders equal scores arbitrarily, so it is asked for {@code k + }{@value #TIE_SLACK} hits.
 * When the last fetched score is strictly below the k-th, every document that can reach the top k was fetched and
 * sorting them by {@link HitOrder} gives the exact answer. Otherwise (more than {@value #TIE_SLACK} documents tie at the
 * boundary) that query's score row is scanned on the host for every score at or above the boundary. A NaN score (a NaN
 * vector in the corpus or the queries) is ranked first by the device but last by {@link HitOrder}, so a fetched list with
 * a NaN in it says nothing about the true top k: that query's whole row is then selected on the host.
 *
 * <p><b>Memory.</b> The shard ({@code N×d}) stays on the device for the life of this object; one call adds the
 * {@code B×N} fp32 score matrix and the {@code B×(k+slack)} top lists, freed before it returns. Callers bound B and N
 * (query block and shard size), never the whole query set times the whole corpus.
 *
 * <p><b>Precision.</b> fp32 on CPU. With {@code fp16} on a GPU the shard and queries are cast to float16 for the matmul
 * (as faiss-gpu's {@code useFloat16}), scores are cast back to fp32 before selection; this is approximate. fp16 on a CPU
 * is ignored, since CPU half-precision matmul is slow and gains nothing.
 *
 * <p>Not thread-safe; one instance per task.
 */
public final class ExactTopK implements AutoCloseable {
  /** Extra hits fetched beyond k so that ties at the k-th score are usually resolved without a full row scan. */
  public static final int TIE_SLACK = 16;

  private final NDManager manager;
  private final NDArray corpusTransposed;
  private final String[] ids;
  private final int dim;
  private final boolean half;

  /** Copies the shard to {@code device}. */
  public ExactTopK(VectorBlock shard, Device device, boolean fp16) {
    if (shard.rows() == 0) {
      throw new IllegalArgumentException("empty corpus shard");
    }
    this.ids = shard.ids();
    this.dim = shard.dim();
    this.half = fp16 && device.isGpu();
    this.manager = NDManager.newBaseManager(device, "PyTorch");
    NDArray corpus = manager.create(shard.vectors(), new Shape(shard.rows(), dim));
    if (half) {
      corpus = corpus.toType(DataType.FLOAT16, false);
    }
    // A transposed view (no copy): BLAS multiplies by it with its transpose flag.
    this.corpusTransposed = corpus.transpose();
  }

  /**
   * The top {@code min(k, shard size)} hits of every query row, in {@link HitOrder}.
   *
   * @throws IllegalArgumentException if the queries' dimension differs from the corpus'
   */
  public Hit[][] search(VectorBlock queries, int k) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1, got " + k);
    }
    if (queries.dim() != dim) {
      throw new IllegalArgumentException("query vectors have dimension " + queries.dim()
          + " but corpus vectors have dimension " + dim);
    }
    int b = queries.rows();
    int n = ids.length;
    if (b == 0) {
      return new Hit[0][];
    }
    int keep = Math.min(k, n);
    int fetch = Math.min(n, k + TIE_SLACK);
    try (NDManager scope = manager.newSubManager()) {
      NDArray q = scope.create(queries.vectors(), new Shape(b, dim));
      if (half) {
        q = q.toType(DataType.FLOAT16, false);
      }
      NDArray scores = q.matMul(corpusTransposed);
      if (half) {
        scores = scores.toType(DataType.FLOAT32, false);
      }
      NDList top = scores.topK(fetch, 1, true, true);
      float[] values = top.get(0).toFloatArray();
      long[] indices = top.get(1).toLongArray();
      float[] allScores = null; // copied from the device only if some query has more ties than the slack covers
      Hit[][] result = new Hit[b][];
      for (int r = 0; r < b; r++) {
        int base = r * fetch;
        float boundary = values[base + keep - 1];
        if (fetch < n && anyNaN(values, base, fetch)) {
          if (allScores == null) {
            allScores = scores.toFloatArray();
          }
          result[r] = wholeRow(allScores, r * n, keep);
          continue;
        }
        List<Hit> candidates = new ArrayList<>(fetch);
        if (fetch == n || values[base + fetch - 1] < boundary) {
          for (int j = 0; j < fetch; j++) {
            candidates.add(new Hit(ids[(int) indices[base + j]], values[base + j]));
          }
        } else {
          if (allScores == null) {
            allScores = scores.toFloatArray();
          }
          int row = r * n;
          for (int d = 0; d < n; d++) {
            if (allScores[row + d] >= boundary) {
              candidates.add(new Hit(ids[d], allScores[row + d]));
            }
          }
        }
        candidates.sort(HitOrder.INSTANCE);
        result[r] = candidates.subList(0, keep).toArray(Hit[]::new);
      }
      return result;
    }
  }

  /** Whether a fetched top list holds a NaN, which the device ranks above every number (HitOrder ranks it last). */
  private static boolean anyNaN(float[] values, int from, int count) {
    for (int j = from; j < from + count; j++) {
      if (Float.isNaN(values[j])) {
        return true;
      }
    }
    return false;
  }

  /** The exact top {@code keep} of one whole score row, in {@link HitOrder}. */
  private Hit[] wholeRow(float[] allScores, int row, int keep) {
    BoundedTopK best = new BoundedTopK(keep);
    for (int d = 0; d < ids.length; d++) {
      best.add(new Hit(ids[d], allScores[row + d]));
    }
    return best.sorted();
  }

  @Override
  public void close() {
    manager.close();
  }
}
