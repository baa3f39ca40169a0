package io.m3spark.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A small SQuAD-format QA file, Korean and English, the start of the recipe in the cluster suite. */
final class QaData {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] TOPICS = {"서울", "부산", "부가가치세", "법인세", "revenue", "payroll", "invoice",
      "weather", "닭발", "football", "piano", "river", "history", "coffee", "mountain", "library", "garden", "planet",
      "market", "Spark"};
  private static final String[] FACTS = {"was founded in", "reports its figures in", "is taxed at", "hosts a festival in",
      "opened a branch in", "moved its office to"};

  private QaData() {}

  /** {@code articles} articles of two paragraphs, each paragraph with two questions. */
  static Path write(Path file, int articles) throws IOException {
    ObjectNode root = JSON.createObjectNode().put("version", "cluster-suite");
    ArrayNode data = root.putArray("data");
    int question = 0;
    for (int a = 0; a < articles; a++) {
      String topic = TOPICS[a % TOPICS.length] + " " + a;
      ObjectNode article = data.addObject().put("title", topic);
      ArrayNode paragraphs = article.putArray("paragraphs");
      for (int p = 0; p < 2; p++) {
        String fact = FACTS[(a + p) % FACTS.length];
        int year = 1950 + (a * 7 + p * 13) % 70;
        String context = topic + " " + fact + " " + year + ". 이 문단은 " + topic + "에 관한 " + (p + 1)
            + "번째 설명이다. Paragraph " + p + " of article " + a + " mentions " + TOPICS[(a + 3 * p + 1) % TOPICS.length]
            + " as well.";
        ArrayNode qas = paragraphs.addObject().put("context", context).putArray("qas");
        qas.addObject().put("id", "q" + question++).put("question", "When " + topic + " " + fact + "?")
            .putArray("answers").addObject().put("text", String.valueOf(year)).put("answer_start", 0);
        qas.addObject().put("id", "q" + question++).put("question", topic + "의 " + (p + 1) + "번째 설명은 무엇인가?")
            .putArray("answers").addObject().put("text", topic).put("answer_start", 0);
      }
    }
    Files.createDirectories(file.getParent());
    JSON.writeValue(file.toFile(), root);
    return file;
  }
}
