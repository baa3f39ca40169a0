package io.m3spark.mining;

import io.m3spark.io.TrainRecord;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Chooses one record's hard negatives from its ranked search hits — FlagEmbedding's hn_mine per-query step
 * (spec §1.2 steps 6–7) plus sentence-transformers' positive-aware filters:
 *
 * <ol>
 *   <li>walk rank positions [a, min(b, hits)) in order; drop a candidate whose text equals a positive or the raw
 *       query (exact equality, as FlagEmbedding: near-identical texts are kept), repeats an earlier candidate, or fails
 *       a score filter ({@link FilterRule} order);
 *   <li>more survivors than {@code negative_number}: RANDOM draws a uniform sample without replacement in random
 *       order ({@code random.sample}); TOP keeps the best-ranked;
 *   <li>fewer: top up with random corpus texts that are not a positive, not the query, not already chosen, not a
 *       candidate a rule rejected and not one of the top-a hits deliberately skipped (likely false negatives).
 *       Draws are without replacement and bounded; what cannot be found is reported as a shortfall, never a crash
 *       (FlagEmbedding crashes when the corpus is smaller than need + |pos|, and may pick the query or a duplicate,
 *       #464).
 * </ol>
 *
 * <p>The margin rules compare against the <em>lowest</em> positive score of the record: a candidate that scores within
 * the margin of any known positive is as relevant as that positive by the model's own measure, so it is a likely false
 * negative (#850). Using the highest positive would let such candidates through whenever one positive is an easy
 * match. sentence-transformers compares per (query, positive) pair, which for a single positive is the same.
 *
 * <p>Pure and deterministic: the result depends only on the arguments and on (seed, recordIndex) — see
 * {@link RecordRandom} — so Spark may partition and order records in any way.
 */
public final class NegativeSampler {
  private final MiningOptions options;

  public NegativeSampler(MiningOptions options) {
    this.options = options;
  }

  public MiningOptions options() {
    return options;
  }

  /**
   * Samples the negatives of one record.
   *
   * @param recordIndex the record's stable identity: its 0-based index in the input
   * @param record the training record (its {@code pos} and {@code query} are excluded; its old {@code neg} is ignored)
   * @param ranked the top-K hits in rank order, K = {@link MiningOptions#topK()} (fewer when the corpus is smaller)
   * @param positiveScores dense scores of the query against each positive, aligned with {@code pos}; null or NaN
   *     entries when unknown (the margin rules then use the lowest known score, or do not apply)
   * @param pool corpus texts for the top-up
   */
  public MinedNegatives sample(long recordIndex, TrainRecord record, List<Candidate> ranked,
      List<Float> positiveScores, TopUpPool pool) {
    SplittableRandom rng = RecordRandom.forRecord(options.seed(), recordIndex);
    Set<String> positives = new HashSet<>(record.pos());
    String query = record.query();
    float lowestPositive = lowestFinite(positiveScores);

    // Texts the top-up must never pick: positives, the query, everything the range skipped or a rule rejected.
    Set<String> excluded = new HashSet<>(positives);
    excluded.add(query);
    int end = Math.min(options.rangeEnd(), ranked.size());
    boolean positiveInResults = false;
    for (int i = 0; i < ranked.size(); i++) {
      String text = ranked.get(i).text();
      positiveInResults |= positives.contains(text);
      if (i < options.rangeStart()) {
        excluded.add(text);
      }
    }

    Map<FilterRule, Integer> filtered = new EnumMap<>(FilterRule.class);
    List<Integer> survivors = new ArrayList<>();
    Set<String> survivorTexts = new HashSet<>();
    boolean aboveP = false;
    for (int i = options.rangeStart(); i < end; i++) {
      Candidate c = ranked.get(i);
      FilterRule rule = firstRejecting(c, positives, query, survivorTexts, lowestPositive);
      if (rule != null) {
        filtered.merge(rule, 1, Integer::sum);
        excluded.add(c.text());
        continue;
      }
      aboveP |= !Float.isNaN(lowestPositive) && c.score() >= lowestPositive;
      survivors.add(i);
      survivorTexts.add(c.text());
    }

    List<Integer> chosen = choose(survivors, rng);
    List<String> neg = new ArrayList<>(options.negativeNumber());
    List<Float> scores = new ArrayList<>(options.negativeNumber());
    for (int rank : chosen) {
      neg.add(ranked.get(rank).text());
      scores.add(ranked.get(rank).score());
      excluded.add(ranked.get(rank).text());
    }
    int need = options.negativeNumber() - neg.size();
    if (need > 0) {
      for (String text : topUp(need, excluded, pool, rng)) {
        neg.add(text);
        scores.add(Float.NaN);
      }
    }
    return new MinedNegatives(neg, scores, chosen, filtered, Math.max(0, end - options.rangeStart()),
        options.negativeNumber() - neg.size(), positiveInResults, aboveP, lowestPositive);
  }

  private FilterRule firstRejecting(Candidate c, Set<String> positives, String query, Set<String> kept,
      float lowestPositive) {
    float s = c.score();
    if (positives.contains(c.text())) {
      return FilterRule.IS_POSITIVE;
    }
    if (c.text().equals(query)) {
      return FilterRule.IS_QUERY;
    }
    if (kept.contains(c.text())) {
      return FilterRule.DUPLICATE;
    }
    if (options.maxScore() != null && s > options.maxScore()) {
      return FilterRule.MAX_SCORE;
    }
    if (options.minScore() != null && s < options.minScore()) {
      return FilterRule.MIN_SCORE;
    }
    if (!Float.isNaN(lowestPositive)) {
      if (options.absoluteMargin() != null && s > lowestPositive - options.absoluteMargin()) {
        return FilterRule.ABSOLUTE_MARGIN;
      }
      if (options.relativeMargin() != null && s > (1 - options.relativeMargin()) * lowestPositive) {
        return FilterRule.RELATIVE_MARGIN;
      }
    }
    return null;
  }

  /** The rank positions kept: all survivors when there are too few, else a RANDOM or TOP selection. */
  private List<Integer> choose(List<Integer> survivors, SplittableRandom rng) {
    int n = options.negativeNumber();
    if (survivors.size() <= n) {
      return survivors;
    }
    if (options.samplingStrategy() == SamplingStrategy.TOP) {
      return List.copyOf(survivors.subList(0, n));
    }
    // Partial Fisher–Yates: the first n slots become a uniform sample without replacement, in random order.
    List<Integer> pool = new ArrayList<>(survivors);
    for (int i = 0; i < n; i++) {
      int j = i + rng.nextInt(pool.size() - i);
      Integer tmp = pool.get(i);
      pool.set(i, pool.get(j));
      pool.set(j, tmp);
    }
    return List.copyOf(pool.subList(0, n));
  }

  /**
   * Up to {@code need} distinct pool texts outside {@code excluded}, drawn without replacement by a lazy Fisher–Yates
   * over the pool's indices (memory grows with the draws, not the pool). The number of draws is bounded so that a
   * pool made almost entirely of excluded texts ends in a shortfall rather than a long scan.
   */
  private static List<String> topUp(int need, Set<String> excluded, TopUpPool pool, SplittableRandom rng) {
    List<String> picked = new ArrayList<>(need);
    int size = pool.size();
    long budget = 4L * (need + excluded.size()) + 64;
    Map<Integer, Integer> swapped = new HashMap<>();
    for (int k = 0; k < size && k < budget && picked.size() < need; k++) {
      int j = k + rng.nextInt(size - k);
      int drawn = swapped.getOrDefault(j, j);
      swapped.put(j, swapped.getOrDefault(k, k));
      String text = pool.text(drawn);
      if (excluded.add(text)) {
        picked.add(text);
      }
    }
    return picked;
  }

  private static float lowestFinite(List<Float> scores) {
    float lowest = Float.NaN;
    if (scores != null) {
      for (Float s : scores) {
        if (s != null && Float.isFinite(s) && (Float.isNaN(lowest) || s < lowest)) {
          lowest = s;
        }
      }
    }
    return lowest;
  }
}
