package io.m3spark.search;

import java.util.ArrayList;
import java.util.List;

/** The reference the tests compare with: a plain double loop in double precision, sorted by {@link HitOrder}. */
public final class BruteForceSearch {

  private BruteForceSearch() {}

  /** Top {@code k} of every query over the whole corpus. */
  public static List<Hit[]> search(float[][] queries, String[] docids, float[][] corpus, int k) {
    List<Hit[]> result = new ArrayList<>();
    for (float[] q : queries) {
      Hit[] all = new Hit[corpus.length];
      for (int d = 0; d < corpus.length; d++) {
        double dot = 0;
        for (int i = 0; i < q.length; i++) {
          dot += (double) q[i] * corpus[d][i];
        }
        all[d] = new Hit(docids[d], (float) dot);
      }
      result.add(TopKMerger.top(all, k));
    }
    return result;
  }
}
