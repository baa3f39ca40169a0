package io.m3spark.eval;

/**
 * What every metric needs from one query: the grades of its ranked hits (top {@code depth} only) and its qrels'
 * relevant count and ideal gains. Documents missing from the qrels, and those with a
 * negative grade (trec_eval's "in pool, unjudged"), carry {@link #UNJUDGED}: never relevant, no gain.
 */
public final class RankedJudgements {
  public static final int UNJUDGED = -1;

  private final int[] grades;
  private final int relevantCount;
  private final int[] idealGains;
  private final int relevanceLevel;

  RankedJudgements(int[] grades, int relevantCount, int[] idealGains, int relevanceLevel) {
    this.grades = grades;
    this.relevantCount = relevantCount;
    this.idealGains = idealGains;
    this.relevanceLevel = relevanceLevel;
  }

  /** Looks up the grades of the first {@code depth} of the {@code ranked} hits. */
  public static RankedJudgements of(Hit[] ranked, Judgements judgements, int relevanceLevel, int depth) {
    int n = Math.min(depth, ranked.length);
    int[] grades = new int[n];
    for (int i = 0; i < n; i++) {
      Integer g = judgements.grade(ranked[i].docid());
      grades[i] = g == null || g < 0 ? UNJUDGED : g;
    }
    return new RankedJudgements(grades, judgements.relevantCount(relevanceLevel),
        judgements.idealGains(), relevanceLevel);
  }

  /** How many ranks are known: min(depth, number of hits). */
  public int depth() {
    return grades.length;
  }

  /** The grade at 0-based rank {@code i} ({@link #UNJUDGED} for an unjudged document). */
  public int grade(int i) {
    return grades[i];
  }

  public boolean isRelevant(int i) {
    return grades[i] >= relevanceLevel;
  }

  /** Judged documents with a grade ≥ the relevance level. */
  public int relevantCount() {
    return relevantCount;
  }

  /** Number of ideal gains (documents with a grade above 0). */
  public int idealCount() {
    return idealGains.length;
  }

  /** The {@code i}-th largest positive grade. */
  public int idealGain(int i) {
    return idealGains[i];
  }

  /** Relevant hits among the first {@code k} ranks. */
  public int relevantInTop(int k) {
    int n = 0;
    for (int i = 0, end = Math.min(k, grades.length); i < end; i++) {
      if (grades[i] >= relevanceLevel) {
        n++;
      }
    }
    return n;
  }
}
