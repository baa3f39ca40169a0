package io.m3spark.train.data;

import java.util.List;

/**
 * One sampled training example (spec §4.3): the query text as the model sees it (instruction applied) and its G
 * passages, the positive first. {@code teacherScores} follows the passages one to one, or is null without distillation.
 */
public record TrainGroup(String query, List<String> passages, float[] teacherScores) {
  public TrainGroup {
    passages = List.copyOf(passages);
    if (teacherScores != null && teacherScores.length != passages.size()) {
      throw new IllegalArgumentException(teacherScores.length + " teacher scores for " + passages.size() + " passages");
    }
  }

  public int groupSize() {
    return passages.size();
  }
}
