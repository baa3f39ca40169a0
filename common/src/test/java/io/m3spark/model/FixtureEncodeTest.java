package io.m3spark.model;

import static io.m3spark.model.Fixture.TOL;
import static io.m3spark.model.Fixture.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.m3spark.text.TokenizedText;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The model against expected.json: tokens, hidden states, the three representations and the scores. */
class FixtureEncodeTest {
  private static M3Model model;
  private static JsonNode texts;

  @BeforeAll
  static void load() throws Exception {
    model = M3Model.load(Fixture.folder(), LoadOptions.defaults());
    texts = Fixture.expected().get("texts");
  }

  @AfterAll
  static void close() {
    model.close();
  }

  private static TokenizedText tokenize(JsonNode t) {
    return model.tokenizer().encode(t.get("text").asText(), Fixture.maxLength(t));
  }

  private static List<TokenizedText> all() {
    List<TokenizedText> out = new ArrayList<>();
    texts.forEach(t -> out.add(tokenize(t)));
    return out;
  }

  @Test
  void tokenizerMatchesIdsAndPieces() {
    int truncatedPassages = 0;
    for (JsonNode t : texts) {
      TokenizedText tt = tokenize(t);
      assertArrayEquals(Fixture.ints(t.get("input_ids")), tt.ids(), t.get("text").asText());
      assertEquals(Fixture.strings(t.get("pieces")),
          model.tokenizer().pieces(t.get("text").asText(), Fixture.maxLength(t)), "pieces of " + t.get("text"));
      assertEquals(model.tokenizer().encode(t.get("text").asText(), 10_000).ids().length, tt.fullLength());
      if (tt.truncated()) {
        truncatedPassages += t.get("kind").asText().equals("p") ? 1 : 0;
        assertTrue(tt.fullLength() > tt.ids().length);
        assertEquals(2, tt.ids()[tt.ids().length - 1], "truncated text still ends with </s>");
      }
    }
    assertEquals(1, truncatedPassages, "the fixture has exactly one truncated passage");
    assertEquals(1, model.tokenizer().padId());
    assertArrayEquals(new int[] {0, 2, 1, 3}, model.tokenizer().specialIds());
  }

  @Test
  void hiddenStatesUnpaddedAndPadded() {
    List<TokenizedText> batch = all();
    List<float[][]> padded = model.hiddenStates(batch);
    for (int i = 0; i < texts.size(); i++) {
      JsonNode want = texts.get(i).get("last_hidden_state");
      assertClose(want, model.hiddenStates(List.of(batch.get(i))).get(0), "unpadded hidden " + i);
      assertClose(want, padded.get(i), "padded hidden " + i);
    }
  }

  @Test
  void representationsUnpaddedAndPadded() {
    EncodeOptions o = EncodeOptions.all(512);
    List<Embedding> padded = model.embed(all(), o);
    assertEquals(texts.size(), padded.size());
    assertTrue(padded.get(7).truncated(), "the long passage is truncated at 48");
    for (int i = 0; i < texts.size(); i++) {
      JsonNode t = texts.get(i);
      Embedding single = model.encode(List.of(t.get("text").asText()), o.withMaxLength(Fixture.maxLength(t))).get(0);
      for (Embedding e : List.of(single, padded.get(i))) {
        String what = (e == single ? "unpadded " : "padded ") + i;
        assertEquals(t.get("input_ids").size(), e.numTokens(), what);
        assertClose(t.get("dense"), e.dense(), what + " dense");
        assertClose(t.get("colbert"), e.colbert(), what + " colbert");
        assertSparse(t.get("sparse"), e.sparse(), what + " sparse");
      }
      assertEquals(tokenize(t).truncated(), padded.get(i).truncated(), "truncated flag of " + i);
      assertEquals(single.truncated(), padded.get(i).truncated());
    }
  }

  static void assertSparse(JsonNode want, Map<Integer, Float> got, String what) {
    assertNotNull(got, what);
    assertEquals(want.size(), got.size(), what + " keys " + got.keySet());
    Iterator<Map.Entry<String, JsonNode>> it = want.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      Float w = got.get(Integer.parseInt(e.getKey()));
      assertNotNull(w, what + " lacks id " + e.getKey());
      assertEquals(e.getValue().asDouble(), w, TOL, what + " id " + e.getKey());
    }
  }

  @Test
  void onlyRequestedOutputs() {
    Embedding e = model.encode(List.of("hello"), EncodeOptions.defaults()).get(0);
    assertNotNull(e.dense());
    assertEquals(null, e.sparse());
    assertEquals(null, e.colbert());
    assertFalse(e.truncated());
  }

  @Test
  void inferenceScores() {
    JsonNode scores = Fixture.expected().get("inference_scores");
    double[] w = new double[3];
    for (int i = 0; i < 3; i++) {
      w[i] = scores.get("weights_for_different_modes").get(i).asDouble();
    }
    assertArrayEquals(new double[] {0.4, 0.2, 0.4}, w);
    List<Embedding> emb = model.embed(all(), EncodeOptions.all(512));
    List<Embedding> queries = new ArrayList<>();
    List<Embedding> passages = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      (texts.get(i).get("kind").asText().equals("q") ? queries : passages).add(emb.get(i));
    }
    int n = 0;
    for (JsonNode pair : scores.get("pairs")) {
      Embedding q = queries.get(pair.get("query").asInt());
      Embedding p = passages.get(pair.get("passage").asInt());
      PairScores s = Scores.pair(q, p, w);
      String what = "pair " + pair;
      assertEquals(pair.get("dense").asDouble(), s.dense(), TOL, what);
      assertEquals(pair.get("sparse").asDouble(), s.sparse(), TOL, what);
      assertEquals(pair.get("colbert").asDouble(), s.colbert(), TOL, what);
      assertEquals(pair.get("sparse+dense").asDouble(), s.sparseDense(), TOL, what);
      assertEquals(pair.get("colbert+sparse+dense").asDouble(), s.colbertSparseDense(), TOL, what);
      n++;
    }
    assertEquals(18, n);
  }
}
