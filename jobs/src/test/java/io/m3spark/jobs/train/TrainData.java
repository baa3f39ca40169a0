package io.m3spark.jobs.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Small FlagEmbedding-format training files for the train job's tests. */
final class TrainData {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] TOPICS = {"서울", "부산", "revenue", "weather", "닭발", "football", "piano", "river",
      "history", "coffee", "mountain", "train", "library", "garden", "planet", "market"};

  private TrainData() {}

  /** {@code n} records, each with one positive and {@code negatives} negatives (and teacher scores when asked). */
  static Path write(Path folder, String name, int n, int negatives, boolean scores) throws IOException {
    Files.createDirectories(folder);
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String topic = TOPICS[i % TOPICS.length] + " " + i;
      ObjectNode o = JSON.createObjectNode();
      o.put("query", "what about " + topic + "?");
      o.putArray("pos").add("a passage that talks about " + topic + " in detail.");
      var neg = o.putArray("neg");
      var negScores = JSON.createArrayNode();
      for (int j = 0; j < negatives; j++) {
        neg.add("an unrelated text about " + TOPICS[(i + j + 1) % TOPICS.length] + " number " + j);
        negScores.add(0.1 * j);
      }
      if (scores) {
        o.putArray("pos_scores").add(2.0 + i % 3);
        o.set("neg_scores", negScores);
      }
      lines.add(JSON.writeValueAsString(o));
    }
    Path file = folder.resolve(name);
    Files.write(file, lines, StandardCharsets.UTF_8);
    return file;
  }
}
