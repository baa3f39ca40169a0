package io.m3spark.eval;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Relevance judgements: qid → {@link Judgements}. Held in memory (qrels are small next to runs). Query order is the
 * file's order.
 */
public final class Qrels {
  private final Map<String, Judgements> byQuery;

  public Qrels(Map<String, Map<String, Integer>> grades) {
    Map<String, Judgements> m = new LinkedHashMap<>();
    grades.forEach((qid, docs) -> m.put(qid, new Judgements(docs)));
    this.byQuery = Collections.unmodifiableMap(m);
  }

  /** The judgements of {@code qid}, or {@code null} if the qrels do not mention it. */
  public Judgements get(String qid) {
    return byQuery.get(qid);
  }

  public Set<String> queryIds() {
    return byQuery.keySet();
  }

  public int queryCount() {
    return byQuery.size();
  }
}
