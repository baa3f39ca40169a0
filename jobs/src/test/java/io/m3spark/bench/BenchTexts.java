package io.m3spark.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Texts to benchmark with: the distinct paragraphs of KorQuAD 1.0 dev when {@code shared/data} is next to the checkout
 * (real Korean text, never copied into the project), else seeded synthetic English sentences of varied length.
 */
final class BenchTexts {
  private BenchTexts() {}

  static List<String> load() throws IOException {
    Path korquad = findShared("data/korquad-v1/KorQuAD_v1.0_dev.json");
    if (korquad == null) {
      System.out.println("texts: synthetic (shared/data/korquad-v1 not found)");
      return synthetic(1000, new SplittableRandom(7));
    }
    Set<String> paragraphs = new LinkedHashSet<>();
    for (JsonNode article : new ObjectMapper().readTree(korquad.toFile()).get("data")) {
      for (JsonNode p : article.get("paragraphs")) {
        paragraphs.add(p.get("context").asText());
      }
    }
    System.out.println("texts: " + paragraphs.size() + " KorQuAD 1.0 dev paragraphs from " + korquad);
    return new ArrayList<>(paragraphs);
  }

  /** {@code shared/<relative>} in the working directory or one of its parents, or null. */
  static Path findShared(String relative) {
    for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("shared").resolve(relative);
      if (Files.exists(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  private static List<String> synthetic(int n, SplittableRandom rnd) {
    String[] words = ("spark executor partition embedding vector query passage model training negative corpus index "
        + "search score token batch cluster driver memory device layer attention weight gradient loss evaluation")
        .split(" ");
    List<String> texts = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      StringBuilder sb = new StringBuilder();
      int len = 20 + rnd.nextInt(300);
      for (int w = 0; w < len; w++) {
        sb.append(w == 0 ? "" : " ").append(words[rnd.nextInt(words.length)]);
      }
      texts.add(sb.toString());
    }
    return texts;
  }
}
