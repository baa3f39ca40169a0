package io.m3spark.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.m3spark.model.Scalars;
import io.m3spark.train.collective.Collective;

/**
 * Score matrices with cross-device negatives ({@code negatives_cross_device}, flagembedding-behaviour.md §4.5, §9.2).
 *
 * <p>The dense query and passage vectors of all W ranks are all-gathered, giving the (W·B) × (W·B·G) matrix
 * {@code gatheredDense} whose target for global row i is column i·G, so {@link InfoNceLoss} applies unchanged. This
 * rank's block of rows and columns holds the local differentiable tensors; the other ranks' blocks are constants, so the
 * gradient flows only through the local representations and the ranks' gradients are then averaged
 * ({@link GradientSync}).
 *
 * <p>Sparse, colbert and ensemble stay on the local B × (B·G) matrices of {@code local}. FlagEmbedding slices the
 * ensemble's dense term out of the gathered matrix; that block is exactly the local Q·Pᵀ/τ, so {@code local.ensemble()}
 * is used as it is.
 */
public record CrossDeviceScores(NDArray gatheredDense, ScoreMatrices local) {

  /** Collective call: every rank must call it with the same B, G and hidden size. */
  public static CrossDeviceScores compute(EncodedBatch q, EncodedBatch p, float temperature, int[] specialIds,
      Collective collective) {
    ScoreMatrices local = ScoreMatrices.compute(q, p, temperature, specialIds);
    return new CrossDeviceScores(gatherDense(q, p, temperature, collective), local);
  }

  /** Collective call: the gathered dense matrix alone, Q_all·P_allᵀ/τ, differentiable through this rank's rows. */
  public static NDArray gatherDense(EncodedBatch q, EncodedBatch p, float temperature, Collective collective) {
    NDArray queries = gather(q.dense(), collective);
    NDArray passages = gather(p.dense(), collective);
    return Scalars.dividedBy(queries.matMul(passages.transpose()), temperature);
  }

  /** The rows of every rank stacked in rank order, this rank's slot being {@code local} itself (not a copy). */
  private static NDArray gather(NDArray local, Collective collective) {
    float[] mine;
    try (NDArray host = local.toType(DataType.FLOAT32, true)) {
      mine = host.toFloatArray();
    }
    // every rank gathers the same B, G and hidden size, so no block may be longer than this rank's
    float[][] blocks = collective.allGather(mine, mine.length);
    long width = local.getShape().get(1);
    NDList parts = new NDList();
    for (int r = 0; r < blocks.length; r++) {
      parts.add(r == collective.rank() ? local
          : local.getManager().create(blocks[r], new Shape(blocks[r].length / width, width))
              .toType(local.getDataType(), false));
    }
    return NDArrays.concat(parts, 0);
  }
}
