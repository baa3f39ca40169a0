package io.m3spark.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Keyed dropout: torch's statistics, and masks that depend only on (key, row, layer, site). */
class KeyedDropoutTest {
  private static final DropoutKey KEY = new DropoutKey(42, 0);

  /** Dropout of a tensor of ones B×3×5 (rows × a small inner shape) under {@code key}, as a flat array. */
  private static float[] onesDropped(int rows, DropoutKey key, int layer, int site, float p) {
    try (NDManager m = NDManager.newBaseManager()) {
      return KeyedDropout.apply(m.ones(new Shape(rows, 3, 5)), p, key, layer, site).toFloatArray();
    }
  }

  @Test
  void keepsOneMinusPAndScalesByItsInverse() {
    float p = 0.1f;
    float[] y;
    try (NDManager m = NDManager.newBaseManager()) {
      y = KeyedDropout.apply(m.ones(new Shape(64, 1000)), p, KEY, 0, KeyedDropout.HIDDEN).toFloatArray();
    }
    int kept = 0;
    for (float v : y) {
      if (v != 0f) {
        kept++;
        assertEquals(1 / (1 - p), v, 1e-6, "kept values are scaled by 1/(1-p)");
      }
    }
    // binomial(64000, 0.9): standard deviation 0.0012 of the rate; 5 of them
    assertEquals(0.9, kept / (double) y.length, 0.006, "keep rate");
  }

  @Test
  void rowsGetTheSameMasksInAnySplit() {
    float[] all = onesDropped(6, KEY, 3, KeyedDropout.ATTENTION_PROBS, 0.5f);
    float[] middle = onesDropped(3, KEY.rows(2), 3, KeyedDropout.ATTENTION_PROBS, 0.5f);
    assertArrayEquals(Arrays.copyOfRange(all, 2 * 15, 5 * 15), middle);
    assertArrayEquals(all, onesDropped(6, KEY, 3, KeyedDropout.ATTENTION_PROBS, 0.5f), "repeatable");
  }

  @Test
  void rowsLayersSitesAndStreamsGetDifferentMasks() {
    float[] all = onesDropped(2, KEY, 0, KeyedDropout.HIDDEN, 0.5f);
    assertFalse(Arrays.equals(Arrays.copyOfRange(all, 0, 15), Arrays.copyOfRange(all, 15, 30)), "rows");
    assertFalse(Arrays.equals(all, onesDropped(2, KEY, 1, KeyedDropout.HIDDEN, 0.5f)), "layers");
    assertFalse(Arrays.equals(all, onesDropped(2, KEY, 0, KeyedDropout.FFN_OUTPUT, 0.5f)), "sites");
    assertFalse(Arrays.equals(all, onesDropped(2, new DropoutKey(43, 0), 0, KeyedDropout.HIDDEN, 0.5f)), "streams");
  }

  @Test
  void threadsDrawingAtOnceGetTheMasksOfTheirKeys() throws Exception {
    int threads = 4;
    List<float[]> want = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      want.add(onesDropped(8, new DropoutKey(7, 8L * t), 0, KeyedDropout.HIDDEN, 0.3f));
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Boolean>> same = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int rank = t;
        same.add(pool.submit(() -> {
          boolean ok = true;
          for (int i = 0; i < 50; i++) {
            ok &= Arrays.equals(want.get(rank), onesDropped(8, new DropoutKey(7, 8L * rank), 0, KeyedDropout.HIDDEN, 0.3f));
          }
          return ok;
        }));
      }
      for (Future<Boolean> f : same) {
        assertTrue(f.get(), "a thread saw another thread's mask");
      }
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void noKeyOrRateZeroIsTheIdentity() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.ones(new Shape(2, 3));
      assertSame(x, KeyedDropout.apply(x, 0.1f, null, 0, KeyedDropout.HIDDEN));
      assertSame(x, KeyedDropout.apply(x, 0f, KEY, 0, KeyedDropout.HIDDEN));
      assertThrows(IllegalArgumentException.class, () -> KeyedDropout.apply(x, 1f, KEY, 0, KeyedDropout.HIDDEN));
    }
  }

  @Test
  void theMaskIsAConstantInTheBackwardPass() {
    try (NDManager m = NDManager.newBaseManager();
        ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
      NDArray x = m.ones(new Shape(4, 50));
      x.setRequiresGradient(true);
      NDArray y = KeyedDropout.apply(x, 0.2f, KEY, 0, KeyedDropout.HIDDEN);
      gc.backward(y.sum());
      // d(sum y)/dx = mask / (1 − p) = y itself (x is all ones)
      assertArrayEquals(y.toFloatArray(), x.getGradient().toFloatArray());
    }
  }
}
