package io.m3spark.mining;

import java.io.Serializable;
import java.util.List;

/**
 * What mining did over many records: counts, the filter breakdown and the distributions of positive scores, chosen
 * negative scores and chosen ranks. Fixed memory; build one per Spark partition with {@link #record} and combine with
 * {@link #merge}, which gives exactly the statistics of the union.
 *
 * <p>Score histograms span [−1, 1] in steps of 0.001 (dense scores of normalised vectors); ranks 0..4095 have a bin
 * each. Values outside are still counted, and quantiles there answer as the exact min or max.
 */
public final class MiningStats implements Serializable {
  private static final long serialVersionUID = 1L;

  long queries;
  long queriesWithPositiveInResults;
  long queriesWithPositiveScore;
  long queriesWithCandidateAbovePositive;
  long candidatesSeen;
  final long[] filtered = new long[FilterRule.values().length];
  long minedNegatives;
  long topUps;
  long queriesBelowTarget;
  long queriesShort;
  long totalShortfall;
  final FixedBinHistogram positiveScores = new FixedBinHistogram(-1, 1, 2000);
  final FixedBinHistogram negativeScores = new FixedBinHistogram(-1, 1, 2000);
  // bins centred on the integers, so rank quantiles read as whole ranks
  final FixedBinHistogram negativeRanks = new FixedBinHistogram(-0.5, 4095.5, 4096);

  /** Adds one record's outcome; {@code positiveScores} are its positives' dense scores (null if not computed). */
  public MiningStats record(MinedNegatives mined, List<Float> positiveScores) {
    queries++;
    if (mined.positiveInResults()) {
      queriesWithPositiveInResults++;
    }
    if (!Float.isNaN(mined.lowestPositiveScore())) {
      queriesWithPositiveScore++;
    }
    if (mined.candidateAbovePositive()) {
      queriesWithCandidateAbovePositive++;
    }
    candidatesSeen += mined.candidatesSeen();
    for (FilterRule rule : FilterRule.values()) {
      filtered[rule.ordinal()] += mined.filteredBy(rule);
    }
    minedNegatives += mined.minedCount();
    topUps += mined.topUpCount();
    if (mined.topUpCount() > 0 || mined.shortfall() > 0) {
      queriesBelowTarget++;
    }
    if (mined.shortfall() > 0) {
      queriesShort++;
      totalShortfall += mined.shortfall();
    }
    if (positiveScores != null) {
      positiveScores.forEach(s -> this.positiveScores.add(s == null ? Double.NaN : s));
    }
    for (int i = 0; i < mined.minedCount(); i++) {
      negativeScores.add(mined.negScores().get(i));
      negativeRanks.add(mined.ranks().get(i));
    }
    return this;
  }

  /** Adds {@code other} into this and returns this (a Spark {@code reduce}/{@code aggregate} combiner). */
  public MiningStats merge(MiningStats other) {
    queries += other.queries;
    queriesWithPositiveInResults += other.queriesWithPositiveInResults;
    queriesWithPositiveScore += other.queriesWithPositiveScore;
    queriesWithCandidateAbovePositive += other.queriesWithCandidateAbovePositive;
    candidatesSeen += other.candidatesSeen;
    for (int i = 0; i < filtered.length; i++) {
      filtered[i] += other.filtered[i];
    }
    minedNegatives += other.minedNegatives;
    topUps += other.topUps;
    queriesBelowTarget += other.queriesBelowTarget;
    queriesShort += other.queriesShort;
    totalShortfall += other.totalShortfall;
    positiveScores.merge(other.positiveScores);
    negativeScores.merge(other.negativeScores);
    negativeRanks.merge(other.negativeRanks);
    return this;
  }

  public long queries() {
    return queries;
  }

  public long queriesWithPositiveInResults() {
    return queriesWithPositiveInResults;
  }

  /** Queries with at least one finite positive score (the denominator of the positive-aware checks). */
  public long queriesWithPositiveScore() {
    return queriesWithPositiveScore;
  }

  public long queriesWithCandidateAbovePositive() {
    return queriesWithCandidateAbovePositive;
  }

  public long candidatesSeen() {
    return candidatesSeen;
  }

  public long filtered(FilterRule rule) {
    return filtered[rule.ordinal()];
  }

  public long minedNegatives() {
    return minedNegatives;
  }

  public long topUps() {
    return topUps;
  }

  /** Queries whose sampling range gave fewer than negative_number negatives (topped up or short). */
  public long queriesBelowTarget() {
    return queriesBelowTarget;
  }

  /** Queries still short after the top-up. */
  public long queriesShort() {
    return queriesShort;
  }

  public long totalShortfall() {
    return totalShortfall;
  }

  public FixedBinHistogram positiveScores() {
    return positiveScores;
  }

  public FixedBinHistogram negativeScores() {
    return negativeScores;
  }

  public FixedBinHistogram negativeRanks() {
    return negativeRanks;
  }
}
