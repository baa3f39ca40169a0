package io.m3spark.eval;

import java.util.Map;

/**
 * The qrels of one query: docid → graded relevance. trec_eval's reading of grades: a negative grade marks a document
 * that is in the pool but unjudged (it is never relevant and has no gain), 0 is judged non-relevant, and grades at or
 * above the relevance level are relevant.
 */
public final class Judgements {
  private final Map<String, Integer> grades;
  /** Grades above 0 in descending order: the ideal ranking's gains for nDCG. */
  private final int[] idealGains;

  Judgements(Map<String, Integer> grades) {
    this.grades = Map.copyOf(grades);
    this.idealGains = grades.values().stream().filter(g -> g > 0)
        .sorted((a, b) -> Integer.compare(b, a)).mapToInt(Integer::intValue).toArray();
  }

  /** The grade of {@code docid}, or {@code null} when the document was never judged for this query. */
  public Integer grade(String docid) {
    return grades.get(docid);
  }

  /** How many documents have a grade ≥ {@code relevanceLevel}. */
  public int relevantCount(int relevanceLevel) {
    int n = 0;
    for (int g : idealGains) {
      if (g >= relevanceLevel) {
        n++;
      }
    }
    return n;
  }

  /** Positive grades, highest first (shared, not copied: callers only read it). */
  int[] idealGains() {
    return idealGains;
  }
}
