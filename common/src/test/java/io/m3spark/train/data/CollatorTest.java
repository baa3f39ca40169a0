package io.m3spark.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.m3spark.text.M3Tokenizer;
import io.m3spark.text.TokenBatch;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The collator against the tiny-m3 fixture's {@code training.tokenised} ids, using its groups as given. */
class CollatorTest {
  private static M3Tokenizer tokenizer;
  private static JsonNode training;

  @BeforeAll
  static void load() throws Exception {
    Path folder = Paths.get(CollatorTest.class.getResource("/tiny-m3/config.json").toURI()).getParent();
    tokenizer = M3Tokenizer.load(folder);
    training = new ObjectMapper().readTree(folder.resolve("expected.json").toFile()).get("training");
  }

  @AfterAll
  static void close() {
    tokenizer.close();
  }

  @Test
  void matchesFixtureIds() {
    JsonNode batch = training.get("batch");
    List<TrainGroup> groups = new ArrayList<>();
    for (int b = 0; b < batch.get("queries").size(); b++) {
      List<String> passages = new ArrayList<>();
      batch.get("groups").get(b).forEach(p -> passages.add(p.asText()));
      JsonNode t = batch.get("teacher_scores").get(b);
      float[] scores = new float[t.size()];
      for (int i = 0; i < scores.length; i++) {
        scores[i] = (float) t.get(i).asDouble();
      }
      groups.add(new TrainGroup(batch.get("queries").get(b).asText(), passages, scores));
    }
    TrainBatch out = new Collator(tokenizer, 16, 48, 8).collate(groups, false);
    assertEquals(training.get("group_size").asInt(), out.groupSize());
    assertIds(training.get("tokenised").get("queries"), out.queries());
    assertIds(training.get("tokenised").get("passages"), out.passages());
    assertArrayEquals(new float[] {8.1f, 2.0f, -1.5f, 5.0f, 3.5f, 0.5f}, out.teacherScores());
  }

  @Test
  void rejectsMixedGroupSizes() {
    List<TrainGroup> groups = List.of(new TrainGroup("a", List.of("p", "n"), null), new TrainGroup("b", List.of("p"), null));
    assertThrows(IllegalArgumentException.class, () -> new Collator(tokenizer, 16, 48, 8).collate(groups, false));
  }

  private static void assertIds(JsonNode want, TokenBatch got) {
    assertEquals(want.size(), got.batchSize());
    for (int i = 0; i < want.size(); i++) {
      int[] w = new int[want.get(i).size()];
      for (int j = 0; j < w.length; j++) {
        w[j] = want.get(i).get(j).asInt();
      }
      assertArrayEquals(w, got.ids()[i], "row " + i);
    }
  }
}
