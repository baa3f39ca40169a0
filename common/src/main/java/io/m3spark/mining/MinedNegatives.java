package io.m3spark.mining;

import io.m3spark.io.TrainRecord;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The negatives chosen for one record and how they were found. The first {@link #minedCount()} come from the ranked
 * hits (with their dense scores and 0-based ranks); the rest are random top-ups from the corpus, appended as
 * FlagEmbedding does, whose scores are NaN until the caller supplies them with {@link #withTopUpScores} (the Spark job
 * can score them against the query embedding; the sampler itself has no model).
 *
 * @param neg the new {@code neg} list
 * @param negScores dense scores aligned with {@code neg}; NaN for top-ups not yet scored
 * @param ranks 0-based rank positions of the mined negatives (top-ups have none)
 * @param filtered candidates in the sampling range rejected, per rule
 * @param candidatesSeen candidates in the sampling range [a, min(b, hits))
 * @param shortfall negatives still missing after the top-up (0 when the list is full)
 * @param positiveInResults whether any positive's text appears anywhere in the ranked hits
 * @param candidateAbovePositive whether a kept-by-text candidate in the range scored at or above the lowest positive
 * @param lowestPositiveScore the lowest finite positive score, NaN when none was given
 */
public record MinedNegatives(
    List<String> neg,
    List<Float> negScores,
    List<Integer> ranks,
    Map<FilterRule, Integer> filtered,
    int candidatesSeen,
    int shortfall,
    boolean positiveInResults,
    boolean candidateAbovePositive,
    float lowestPositiveScore)
    implements Serializable {

  public MinedNegatives {
    if (neg.size() != negScores.size() || ranks.size() > neg.size()) {
      throw new IllegalArgumentException("neg, negScores and ranks do not align");
    }
    neg = List.copyOf(neg);
    negScores = Collections.unmodifiableList(new ArrayList<>(negScores));
    ranks = List.copyOf(ranks);
    Map<FilterRule, Integer> copy = new EnumMap<>(FilterRule.class);
    copy.putAll(filtered);
    filtered = Collections.unmodifiableMap(copy);
  }

  /** Negatives taken from the ranked hits. */
  public int minedCount() {
    return ranks.size();
  }

  /** Negatives drawn at random from the corpus. */
  public int topUpCount() {
    return neg.size() - ranks.size();
  }

  /** The top-up texts, in order, for a caller that scores them. */
  public List<String> topUps() {
    return neg.subList(ranks.size(), neg.size());
  }

  /** Candidates rejected by {@code rule}. */
  public int filteredBy(FilterRule rule) {
    return filtered.getOrDefault(rule, 0);
  }

  /** A copy whose top-up scores are {@code scores}, aligned with {@link #topUps()}. */
  public MinedNegatives withTopUpScores(List<Float> scores) {
    if (scores.size() != topUpCount()) {
      throw new IllegalArgumentException(scores.size() + " scores for " + topUpCount() + " top-up negatives");
    }
    List<Float> all = new ArrayList<>(negScores.subList(0, ranks.size()));
    all.addAll(scores);
    return new MinedNegatives(neg, all, ranks, filtered, candidatesSeen, shortfall, positiveInResults,
        candidateAbovePositive, lowestPositiveScore);
  }

  /**
   * The output record: {@code record} with {@code neg} replaced and every other field kept. With {@code addScores}
   * it carries the dense {@code pos_scores} ({@code positiveScores}, aligned with pos) and {@code neg_scores}; top-up
   * scores must have been filled first. Without it any input scores are removed, since they no longer match the new
   * negatives (FlagEmbedding leaves them stale and misaligned, spec §1.2 step 8).
   */
  public TrainRecord applyTo(TrainRecord record, List<Float> positiveScores, boolean addScores) {
    TrainRecord withNeg = record.withNeg(neg);
    if (!addScores) {
      return withNeg.withoutScores();
    }
    if (negScores.stream().anyMatch(s -> s.isNaN())) {
      throw new IllegalStateException(
          "top-up negatives have no score: call withTopUpScores before writing scores (" + topUpCount() + " top-ups)");
    }
    return withNeg.withScores(positiveScores, negScores);
  }
}
