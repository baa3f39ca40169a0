package io.m3spark.train.precision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Dynamic loss scaling over real CPU tensors. Scale sequences are written out by hand from DeepSpeed's
 * {@code FP16_Optimizer._update_scale} and {@code DynamicLossScaler.update_scale}; scales are powers of two, so
 * unscaled gradients are compared exactly.
 */
class DynamicLossScalerTest {
  /** Runs one step per entry of {@code overflows}; returns the scale each step's loss was multiplied with. */
  private static double[] scales(DynamicLossScaler scaler, boolean[] overflows, NDManager m) {
    double[] used = new double[overflows.length];
    for (int i = 0; i < overflows.length; i++) {
      used[i] = scaler.scale();
      NDArray g = m.create(new float[] {1f, 2f});
      if (overflows[i]) {
        g.set(new ai.djl.ndarray.index.NDIndex(1), Float.POSITIVE_INFINITY);
      }
      assertEquals(!overflows[i], scaler.unscale(List.of(g)), "step " + i);
    }
    return used;
  }

  private static boolean[] pattern(String s) {
    boolean[] b = new boolean[s.length()];
    for (int i = 0; i < b.length; i++) {
      b[i] = s.charAt(i) == 'x';
    }
    return b;
  }

  @Test
  void stageZeroRuleGrowsAfterWindowPlusOneCleanStepsAndIgnoresHysteresis() {
    try (NDManager m = NDManager.newBaseManager()) {
      DynamicLossScaler scaler = new DynamicLossScaler(LossScaling.stageZero(4, 3, 2, false, 1));
      // . = clean, x = overflow
      double[] used = scales(scaler, pattern("....xx.......xxxxxx"), m);
      assertArrayEquals(new double[] {16, 16, 16, 16, 32, 16, 8, 8, 8, 8, 16, 16, 16, 32, 16, 8, 4, 2, 1}, used);
      assertEquals(1, scaler.scale(), "an overflow at the minimum scale keeps it there, without error");
    }
  }

  @Test
  void zeroRuleUsesHysteresis() {
    try (NDManager m = NDManager.newBaseManager()) {
      DynamicLossScaler scaler = new DynamicLossScaler(new LossScaling(16, 3, 2, false, 1,
          LossScaling.Rule.ZERO_LOSS_SCALER));
      double[] used = scales(scaler, pattern("...x.x...xx"), m);
      // grows on the 3rd clean step; first overflow only uses up hysteresis; the second (not refilled) halves
      assertArrayEquals(new double[] {16, 16, 16, 32, 32, 32, 16, 16, 16, 32, 32}, used);
      assertEquals(16, scaler.scale());

      DynamicLossScaler consecutive = new DynamicLossScaler(new LossScaling(16, 3, 2, true, 1,
          LossScaling.Rule.ZERO_LOSS_SCALER));
      used = scales(consecutive, pattern("...x.x"), m);
      assertArrayEquals(new double[] {16, 16, 16, 32, 32, 32}, used);
      assertEquals(32, consecutive.scale(), "the clean step between refilled the hysteresis");
    }
  }

  @Test
  void zeroRuleRaisesAtTheMinimumScale() {
    try (NDManager m = NDManager.newBaseManager()) {
      DynamicLossScaler scaler = new DynamicLossScaler(new LossScaling(2, 10, 1, false, 1,
          LossScaling.Rule.ZERO_LOSS_SCALER));
      scales(scaler, pattern("x"), m);
      assertEquals(1, scaler.scale());
      assertThrows(IllegalStateException.class, () -> scales(scaler, pattern("x"), m));
    }
  }

  @Test
  void scaledBackwardUnscalesToTheTrueGradient() {
    try (NDManager m = NDManager.newBaseManager()) {
      DynamicLossScaler scaler = new DynamicLossScaler(LossScaling.stageZero(12, 1000, 2, false, 1));
      NDArray w = m.create(new float[] {0.5f, -1.5f, 2f});
      w.setRequiresGradient(true);
      NDArray x = m.create(new float[] {3f, 0.25f, -7f});
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        gc.backward(scaler.scaleLoss(w.mul(x).sum()));
      }
      NDArray g = w.getGradient();
      assertArrayEquals(new float[] {3f * 4096, 0.25f * 4096, -7f * 4096}, g.toFloatArray());
      assertTrue(scaler.unscale(List.of(g)));
      assertArrayEquals(x.toFloatArray(), w.getGradient().toFloatArray(), "unscaled in place");
    }
  }

  @Test
  void anyInfOrNanInAnyTensorIsAnOverflowAndLeavesGradientsAlone() {
    float[] bad = {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN};
    for (DataType type : new DataType[] {DataType.FLOAT32, DataType.FLOAT16}) {
      for (float b : bad) {
        try (NDManager m = NDManager.newBaseManager()) {
          DynamicLossScaler scaler = new DynamicLossScaler(LossScaling.stageZero(3, 1000, 2, false, 1));
          NDArray clean = m.create(new float[] {8f, 16f}).toType(type, false);
          NDArray broken = m.create(new float[] {1f, b, 4f}).toType(type, false);
          List<NDArray> grads = new ArrayList<>(List.of(clean, broken));
          assertFalse(scaler.unscale(grads), type + " " + b);
          assertArrayEquals(new float[] {8f, 16f}, clean.toType(DataType.FLOAT32, false).toFloatArray());
          assertEquals(4, scaler.scale(), "halved");
        }
      }
    }
  }

  @Test
  void exportedStateContinuesTheSameSequence() {
    try (NDManager m = NDManager.newBaseManager()) {
      LossScaling settings = new LossScaling(64, 2, 2, false, 1, LossScaling.Rule.ZERO_LOSS_SCALER);
      DynamicLossScaler a = new DynamicLossScaler(settings);
      scales(a, pattern("..x."), m);
      DynamicLossScaler b = new DynamicLossScaler(settings);
      b.importState(a.exportState());
      assertEquals(a.exportState(), b.exportState());
      boolean[] rest = pattern("x...x..xx.");
      assertArrayEquals(scales(a, rest, m), scales(b, rest, m));
      assertEquals(a.exportState(), b.exportState());
    }
  }
}
