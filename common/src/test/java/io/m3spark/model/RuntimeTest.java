package io.m3spark.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.m3spark.text.TokenizedText;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Pooling variants, native memory across many batches, concurrent use. */
class RuntimeTest {
  private static M3Model model;
  private static List<String> texts;

  @BeforeAll
  static void load() throws Exception {
    model = M3Model.load(Fixture.folder(), LoadOptions.defaults());
    texts = new ArrayList<>();
    Fixture.expected().get("texts").forEach(t -> texts.add(t.get("text").asText()));
  }

  @AfterAll
  static void close() {
    model.close();
  }

  private static float[] normalized(float[] v) {
    double n = 0;
    for (float x : v) {
      n += x * x;
    }
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) (v[i] / Math.sqrt(n));
    }
    return out;
  }

  @Test
  void meanAndLastTokenPooling() {
    List<TokenizedText> batch = new ArrayList<>();
    texts.forEach(t -> batch.add(model.tokenizer().encode(t, 48)));
    List<float[][]> hidden = model.hiddenStates(batch);
    List<Embedding> mean = model.embed(batch, EncodeOptions.builder().pooling(Pooling.MEAN).build());
    List<Embedding> last = model.embed(batch, EncodeOptions.builder().pooling(Pooling.LAST_TOKEN).build());
    List<Embedding> rawCls = model.embed(batch, EncodeOptions.builder().normalize(false).build());
    for (int i = 0; i < batch.size(); i++) {
      float[][] h = hidden.get(i);
      float[] m = new float[h[0].length];
      for (float[] row : h) {
        for (int j = 0; j < m.length; j++) {
          m[j] += row[j] / h.length;
        }
      }
      assertArrayEquals(normalized(m), mean.get(i).dense(), 1e-5f, "mean " + i);
      assertArrayEquals(normalized(h[h.length - 1]), last.get(i).dense(), 1e-5f, "last " + i);
      assertArrayEquals(h[0], rawCls.get(i).dense(), 1e-6f, "cls, not normalised " + i);
    }
  }

  @Test
  void manyBatchesDoNotGrowNativeMemory() {
    int before = model.managedArrayCount();
    assertEquals(model.parameters().size(), before, "the model's manager holds exactly its parameters");
    EncodeOptions o = EncodeOptions.all(48);
    for (int i = 0; i < 300; i++) {
      model.encode(texts.subList(i % 5, i % 5 + 3), o);
      model.hiddenStates(List.of(model.tokenizer().encode(texts.get(i % texts.size()), 16)));
    }
    assertEquals(before, model.managedArrayCount());
  }

  @Test
  void concurrentEmbedsMatchSequential() throws Exception {
    EncodeOptions o = EncodeOptions.all(48);
    List<Embedding> want = model.encode(texts, o);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<List<Embedding>>> futures = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        futures.add(pool.submit(() -> model.encode(texts, o)));
      }
      for (Future<List<Embedding>> f : futures) {
        List<Embedding> got = f.get();
        for (int i = 0; i < want.size(); i++) {
          assertArrayEquals(want.get(i).dense(), got.get(i).dense(), 1e-6f);
          assertEquals(want.get(i).sparse().keySet(), got.get(i).sparse().keySet());
          assertEquals(want.get(i).colbert().length, got.get(i).colbert().length);
        }
      }
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void closedModelRefusesWork() throws Exception {
    M3Model m = M3Model.load(Fixture.folder(), LoadOptions.defaults());
    m.close();
    m.close();
    assertThrows(IllegalStateException.class, () -> m.encode(List.of("x"), EncodeOptions.defaults()));
  }

  @Test
  void inputLongerThanPositionTableIsRefused() {
    int[] ids = new int[129];
    java.util.Arrays.fill(ids, 5);
    ids[0] = 0;
    ids[128] = 2;
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> model.embed(List.of(TokenizedText.of(ids)), EncodeOptions.defaults()));
    assertEquals(true, e.getMessage().contains("128"), e.getMessage());
    assertEquals(128, model.embed(List.of(TokenizedText.of(java.util.Arrays.copyOf(ids, 128))),
        EncodeOptions.defaults()).get(0).numTokens());
  }

  @Test
  void threadsCanBeSet() {
    int n = M3Model.getNumThreads();
    M3Model.setNumThreads(1);
    assertEquals(1, M3Model.getNumThreads());
    M3Model.setNumThreads(n);
    assertThrows(IllegalArgumentException.class, () -> M3Model.setNumThreads(0));
  }
}
