package io.m3spark.eval;

import java.util.List;
import java.util.Optional;

/** The metric families, in the order of FlagEmbedding's {@code eval_results.json}, and their key names. */
public final class Metrics {
  /** ndcg, map, recall, precision, mrr, recall_cap. */
  public static final List<Metric> ALL =
      List.of(new NdcgAtK(), new MapAtK(), new RecallAtK(), new PrecisionAtK(), new MrrAtK(), new RecallCapAtK());

  private Metrics() {}

  /** {@code ndcg} and 10 → {@code ndcg_at_10}. */
  public static String key(Metric metric, int k) {
    return metric.name() + "_at_" + k;
  }

  /** The family of a key such as {@code recall_cap_at_100}, if it names one. */
  public static Optional<Metric> familyOf(String key) {
    int at = key.lastIndexOf("_at_");
    if (at <= 0) {
      return Optional.empty();
    }
    String family = key.substring(0, at);
    return ALL.stream().filter(m -> m.name().equals(family)).findFirst();
  }

  /** The cut-off of a key such as {@code ndcg_at_10}, or -1 if it has none. */
  public static int cutoffOf(String key) {
    int at = key.lastIndexOf("_at_");
    try {
      return at < 0 ? -1 : Integer.parseInt(key.substring(at + 4));
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
