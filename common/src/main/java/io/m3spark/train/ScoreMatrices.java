package io.m3spark.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.m3spark.model.Scalars;

/**
 * In-batch score matrices of unified fine-tuning (flagembedding-behaviour.md §3.3, §4.5), each B × (B·G) with passages
 * query-major (the positive of query b at column b·G) and already divided by the temperature τ:
 * <ul>
 *   <li>dense: Q·Pᵀ/τ of the normalised CLS vectors;</li>
 *   <li>sparse: the lexical dot product / τ ({@link SparseScores});</li>
 *   <li>colbert: Σ_{i≥1} max_j ⟨q_i, p_j⟩ / N_q / τ, N_q = query mask[:,1:] sum; padded query and passage vectors are
 *       zero and still take part in the max, exactly as in FlagEmbedding;</li>
 *   <li>ensemble: dense + 0.3·sparse + colbert.</li>
 * </ul>
 * All four are differentiable. {@link NoInBatchScores} holds the B × G matrices of no-in-batch mode in the same record.
 */
public record ScoreMatrices(NDArray dense, NDArray sparse, NDArray colbert, NDArray ensemble) {
  public static final float SPARSE_ENSEMBLE_WEIGHT = 0.3f;

  public static ScoreMatrices compute(EncodedBatch q, EncodedBatch p, float temperature, int[] specialIds) {
    NDArray dense = dense(q, p, temperature);
    NDArray sparse = Scalars.dividedBy(SparseScores.compute(q, p, specialIds), temperature);
    NDArray colbert = Scalars.dividedBy(colbert(q, p), temperature);
    return new ScoreMatrices(dense, sparse, colbert, dense.add(Scalars.times(sparse, SPARSE_ENSEMBLE_WEIGHT)).add(colbert));
  }

  /** The dense matrix alone, Q·Pᵀ/τ (dense-only training needs no sparse or ColBERT scores). */
  public static NDArray dense(EncodedBatch q, EncodedBatch p, float temperature) {
    return Scalars.dividedBy(q.dense().matMul(p.dense().transpose()), temperature);
  }

  private static NDArray colbert(EncodedBatch q, EncodedBatch p) {
    Shape qs = q.colbert().getShape();
    Shape ps = p.colbert().getShape();
    long bq = qs.get(0);
    long lq = qs.get(1);
    long bp = ps.get(0);
    long lp = ps.get(1);
    long d = qs.get(2);
    NDArray token = q.colbert().reshape(bq * lq, d).matMul(p.colbert().reshape(bp * lp, d).transpose())
        .reshape(bq, lq, bp, lp);
    NDArray summed = token.max(new int[] {3}).sum(new int[] {1});
    return summed.div(queryTokenCounts(q, summed.getManager(), summed));
  }

  /** N_q per query as a B×1 constant: real tokens after position 0. */
  private static NDArray queryTokenCounts(EncodedBatch q, NDManager m, NDArray like) {
    int[][] mask = q.tokens().attentionMask();
    float[] n = new float[mask.length];
    for (int b = 0; b < mask.length; b++) {
      for (int i = 1; i < mask[b].length; i++) {
        n[b] += mask[b][i];
      }
    }
    return m.create(n, new Shape(mask.length, 1)).toType(like.getDataType(), false);
  }
}
