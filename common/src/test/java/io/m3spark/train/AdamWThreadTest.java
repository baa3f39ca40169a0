package io.m3spark.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** AdamW must update parameters from any thread, not only the one that started the engine (Spark task threads). */
class AdamWThreadTest {
  @Test
  void stepsOnAThreadWhereGradModeIsOn() throws Exception {
    Engine.getInstance(); // started here, so grad mode is off on this thread only
    AtomicReference<float[]> after = new AtomicReference<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread worker = new Thread(() -> {
      try (NDManager manager = NDManager.newBaseManager();
          AdamW adamw = new AdamW(0.9, 0.999, 1e-8, 0.0, name -> true, manager)) {
        NDArray p = manager.create(new float[] {1f, -2f});
        p.setRequiresGradient(true);
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
          collector.backward(p.mul(p).sum()); // d/dp = 2p
        }
        adamw.step(Map.of("p", p), 0.1);
        after.set(p.toFloatArray());
      } catch (Throwable t) {
        failure.set(t);
      }
    });
    worker.start();
    worker.join();
    if (failure.get() != null) {
      throw new AssertionError("AdamW.step failed on a second thread", failure.get());
    }
    // First Adam step moves each weight by lr against the gradient's sign (m̂/√v̂ = ±1).
    assertArrayEquals(new float[] {0.9f, -1.9f}, after.get(), 1e-5f);
  }
}
