package io.m3spark.mining;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.m3spark.io.TrainRecord;
import java.util.ArrayList;
import java.util.List;

/** Hand-made records and ranked hit lists for the mining tests. */
final class MiningFixtures {
  private static final ObjectMapper JSON = new ObjectMapper();

  private MiningFixtures() {}

  static TrainRecord record(String query, String... pos) {
    ObjectNode n = JSON.createObjectNode();
    n.put("query", query);
    n.putArray("pos").addAll(java.util.Arrays.stream(pos).map(JSON.getNodeFactory()::textNode).toList());
    n.putArray("neg").add("an old negative");
    return TrainRecord.of(n);
  }

  /** Hits "p0".."p{n-1}" with strictly falling scores 0.9, 0.899, … */
  static List<Candidate> ranked(int n) {
    List<Candidate> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new Candidate("p" + i, 0.9f - i * 0.001f));
    }
    return out;
  }

  /** Hits with the given texts and scores, in that order. */
  static List<Candidate> hits(Object... textScore) {
    List<Candidate> out = new ArrayList<>();
    for (int i = 0; i < textScore.length; i += 2) {
      out.add(new Candidate((String) textScore[i], ((Number) textScore[i + 1]).floatValue()));
    }
    return out;
  }

  /** Corpus texts "c0".."c{n-1}". */
  static TopUpPool corpus(int n) {
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      texts.add("c" + i);
    }
    return TopUpPool.of(texts);
  }
}
