package io.m3spark.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Training-time lexical scores (flagembedding-behaviour.md §3.2, §4.5): each text's vocabulary vector holds, per token
 * id, the largest ReLU weight among that id's occurrences, with the special ids zeroed; the score is the dot product of
 * the query and passage vectors.
 *
 * <p>FlagEmbedding builds a B×L×V tensor and takes the max over L. Here the vectors are restricted to the ids that
 * occur in both a query and a passage (the only ones that contribute to a dot product), and each entry is gathered
 * from the single max-selected position, so gradients flow only through that occurrence, as with torch's max.
 */
public final class SparseScores {
  private SparseScores() {}

  /** B_q × B_p matrix of lexical scores (not divided by the temperature). */
  public static NDArray compute(EncodedBatch queries, EncodedBatch passages, int[] specialIds) {
    Map<Integer, Integer> shared = sharedIds(queries.tokens().ids(), passages.tokens().ids(), specialIds);
    NDArray q = vocabVectors(queries, shared);
    NDArray p = vocabVectors(passages, shared);
    return q.matMul(p.transpose());
  }

  /** Non-special ids present in both batches, each mapped to a column. */
  private static Map<Integer, Integer> sharedIds(int[][] q, int[][] p, int[] specialIds) {
    Map<Integer, Boolean> inQuery = new HashMap<>();
    for (int[] row : q) {
      for (int id : row) {
        inQuery.put(id, Boolean.TRUE);
      }
    }
    for (int s : specialIds) {
      inQuery.remove(s);
    }
    Map<Integer, Integer> shared = new LinkedHashMap<>();
    for (int[] row : p) {
      for (int id : row) {
        if (inQuery.containsKey(id) && !shared.containsKey(id)) {
          shared.put(id, shared.size());
        }
      }
    }
    return shared;
  }

  /**
   * B × |shared| vectors: entry (b, u) is the weight at the position of text b where id u has its largest weight
   * (the first such position on ties), or 0 when b does not contain u.
   */
  private static NDArray vocabVectors(EncodedBatch batch, Map<Integer, Integer> shared) {
    int[][] ids = batch.tokens().ids();
    int b = ids.length;
    int len = b == 0 ? 0 : ids[0].length;
    int u = shared.size();
    // host copy of the values only, to pick positions (fp16/fp64 weights read as fp32); not part of the graph
    float[] w = batch.tokenWeights().toType(DataType.FLOAT32, false).toFloatArray();
    long zero = (long) b * len; // index of the appended 0
    long[] index = new long[b * u];
    java.util.Arrays.fill(index, zero);
    for (int r = 0; r < b; r++) {
      for (int i = 0; i < len; i++) {
        Integer col = shared.get(ids[r][i]);
        if (col == null || batch.tokens().attentionMask()[r][i] == 0) {
          continue;
        }
        int slot = r * u + col;
        int pos = r * len + i;
        if (index[slot] == zero || w[pos] > w[(int) index[slot]]) {
          index[slot] = pos;
        }
      }
    }
    NDArray weights = batch.tokenWeights();
    NDManager m = weights.getManager();
    NDArray flat = weights.reshape(-1).concat(m.zeros(new Shape(1), weights.getDataType()));
    return flat.take(m.create(index, new Shape(b, u))).reshape(b, u);
  }
}
