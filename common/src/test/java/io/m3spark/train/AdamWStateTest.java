package io.m3spark.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Export → import of AdamW state continues the same trajectory bit for bit. */
class AdamWStateTest {

  private static Map<String, NDArray> params(NDManager m) {
    Map<String, NDArray> p = new LinkedHashMap<>();
    p.put("a.weight", m.create(new float[] {0.5f, -1.25f, 2f, 0.1f}, new ai.djl.ndarray.types.Shape(2, 2)));
    p.put("b.bias", m.create(new float[] {3f, -0.7f}));
    p.values().forEach(x -> x.setRequiresGradient(true));
    return p;
  }

  /** Fresh leaves with the same values: a resumed run starts from the checkpoint's parameters. */
  private static Map<String, NDArray> copyOf(Map<String, NDArray> p, NDManager m) {
    Map<String, NDArray> out = new LinkedHashMap<>();
    p.forEach((n, x) -> out.put(n, m.create(x.toFloatArray(), x.getShape())));
    out.values().forEach(x -> x.setRequiresGradient(true));
    return out;
  }

  private static void step(AdamW opt, Map<String, NDArray> p, double lr) {
    // libtorch accumulates gradients across backward calls: start each step from zero, as a trainer does
    for (NDArray x : p.values()) {
      if (x.hasGradient()) {
        try (NDArray g = x.getGradient()) {
          g.subi(g);
        }
      }
    }
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      NDArray loss = p.get("a.weight").pow(3).sum().add(p.get("b.bias").mul(p.get("b.bias")).sum());
      gc.backward(loss);
    }
    opt.step(p, lr);
  }

  @Test
  void restoredOptimizerContinuesBitwise() {
    try (NDManager m = NDManager.newBaseManager()) {
      Map<String, NDArray> p1 = params(m);
      try (AdamW a = new AdamW(0.9, 0.999, 1e-8, 0.01, n -> n.endsWith("weight"), m);
          AdamW b = new AdamW(0.9, 0.999, 1e-8, 0.01, n -> n.endsWith("weight"), m)) {
        step(a, p1, 1e-2);
        step(a, p1, 2e-2);
        Map<String, NDArray> p2 = copyOf(p1, m);
        AdamWState saved = a.exportState();
        b.importState(saved);
        assertEquals(2, b.steps());
        step(a, p1, 3e-2);
        step(b, p2, 3e-2);
        for (String n : p1.keySet()) {
          assertArrayEquals(p1.get(n).toFloatArray(), p2.get(n).toFloatArray(), n);
        }
        AdamWState after = b.exportState();
        for (String n : saved.firstMoments().keySet()) {
          assertEquals(a.exportState().firstMoments().get(n).bytes(), after.firstMoments().get(n).bytes(), n);
          assertEquals(a.exportState().secondMoments().get(n).bytes(), after.secondMoments().get(n).bytes(), n);
        }
      }
    }
  }
}
