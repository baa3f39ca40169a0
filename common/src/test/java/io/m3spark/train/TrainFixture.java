package io.m3spark.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.m3spark.model.LoadOptions;
import io.m3spark.model.M3Model;
import io.m3spark.text.TokenBatch;
import io.m3spark.text.TokenizedText;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/** The tiny-m3 fixture's {@code training} section: model without dropout, tokenised batch, tolerance checks. */
final class TrainFixture {
  /** Relative tolerance (the fixture is float64, we compute in fp32), with an absolute floor of the same size. */
  static final double TOL = 1e-4;

  final JsonNode expected;
  final JsonNode training;
  final M3Model model;
  final int groupSize;
  final float temperature;

  TrainFixture() throws IOException, URISyntaxException {
    Path folder = Paths.get(TrainFixture.class.getResource("/tiny-m3/config.json").toURI()).getParent();
    expected = new ObjectMapper().readTree(folder.resolve("expected.json").toFile());
    training = expected.get("training");
    model = M3Model.load(folder, LoadOptions.builder().hiddenDropout(0f).attentionDropout(0f).build());
    groupSize = training.get("group_size").asInt();
    temperature = (float) expected.get("settings").get("temperature").asDouble();
  }

  TokenBatch queries() {
    return batch(texts(training.get("batch").get("queries")), "query_max_len", training.get("tokenised").get("queries"));
  }

  TokenBatch passages() {
    List<String> all = new ArrayList<>();
    training.get("batch").get("groups").forEach(g -> all.addAll(texts(g)));
    return batch(all, "passage_max_len", training.get("tokenised").get("passages"));
  }

  /** The query of data-parallel rank r when the batch is split one query per rank, padded on its own. */
  TokenBatch rankQueries(int rank) {
    return tokenise(List.of(training.get("batch").get("queries").get(rank).asText()), "query_max_len");
  }

  /** The G passages of query r, padded on their own. */
  TokenBatch rankPassages(int rank) {
    return tokenise(texts(training.get("batch").get("groups").get(rank)), "passage_max_len");
  }

  float[][] teacherScores() {
    JsonNode t = training.get("batch").get("teacher_scores");
    float[][] out = new float[t.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = floats(t.get(i));
    }
    return out;
  }

  private TokenBatch tokenise(List<String> texts, String maxLenKey) {
    int maxLen = expected.get("settings").get(maxLenKey).asInt();
    List<TokenizedText> tok = new ArrayList<>();
    texts.forEach(t -> tok.add(model.tokenizer().encode(t, maxLen)));
    return TokenBatch.pad(tok, model.tokenizer().padId(), expected.get("settings").get("pad_to_multiple_of").asInt());
  }

  private TokenBatch batch(List<String> texts, String maxLenKey, JsonNode wantIds) {
    TokenBatch b = tokenise(texts, maxLenKey);
    assertEquals(wantIds.size(), b.batchSize());
    for (int i = 0; i < b.batchSize(); i++) {
      int[] want = new int[wantIds.get(i).size()];
      for (int j = 0; j < want.length; j++) {
        want[j] = wantIds.get(i).get(j).asInt();
      }
      assertArrayEquals(want, b.ids()[i], maxLenKey + " ids of text " + i);
    }
    return b;
  }

  private static List<String> texts(JsonNode a) {
    List<String> out = new ArrayList<>();
    a.forEach(n -> out.add(n.asText()));
    return out;
  }

  static float[] floats(JsonNode a) {
    float[] out = new float[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) a.get(i).asDouble();
    }
    return out;
  }

  /** |want − got| ≤ TOL · max(1, |want|); returns the relative error. */
  static double assertClose(double want, double got, String what) {
    double err = Math.abs(want - got) / Math.max(1.0, Math.abs(want));
    if (!(err <= TOL)) {
      throw new AssertionError(what + ": expected " + want + " but got " + got + " (error " + err + ")");
    }
    return err;
  }

  /** Compares the first want.size() values; returns the largest error. */
  static double assertClose(JsonNode want, float[] got, String what) {
    double max = 0;
    for (int i = 0; i < want.size(); i++) {
      max = Math.max(max, assertClose(want.get(i).asDouble(), got[i], what + "[" + i + "]"));
    }
    return max;
  }
}
