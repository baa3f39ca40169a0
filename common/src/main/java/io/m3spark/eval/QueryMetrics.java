package io.m3spark.eval;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every metric of one query, keyed like the averages ({@code ndcg_at_10}, ...). */
public final class QueryMetrics {
  private final String qid;
  private final List<String> keys;
  private final double[] values;

  QueryMetrics(String qid, List<String> keys, double[] values) {
    this.qid = qid;
    this.keys = keys;
    this.values = values;
  }

  public String qid() {
    return qid;
  }

  /** The value of {@code key}; throws for a key that was not computed. */
  public double get(String key) {
    int i = keys.indexOf(key);
    if (i < 0) {
      throw new IllegalArgumentException("no metric " + key + " (computed: " + keys + ")");
    }
    return values[i];
  }

  /** Key → value in key order, full precision. */
  public Map<String, Double> asMap() {
    Map<String, Double> m = new LinkedHashMap<>();
    for (int i = 0; i < keys.size(); i++) {
      m.put(keys.get(i), values[i]);
    }
    return m;
  }
}
