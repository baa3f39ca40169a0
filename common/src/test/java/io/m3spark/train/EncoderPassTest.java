package io.m3spark.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import io.m3spark.model.DropoutKey;
import io.m3spark.model.Encoder;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Activation checkpointing and sub-batches give the plain path's gradients: every parameter, on the fixture batch's
 * unified self-distillation loss, without dropout (also against the PyTorch reference) and with keyed dropout 0.1.
 */
class EncoderPassTest {
  /**
   * Largest allowed max|grad − plain grad| per parameter, relative to the larger of that parameter's max|plain grad| and
   * 1e-2 of the largest plain gradient overall (the floor covers gradients that are 0 up to rounding: the
   * attention key biases', whose rounding noise reaches ~2e-8 of the largest gradient when rows are encoded one by one). The modes differ only in fp32 summation order (smaller matrix products, gradients summed
   * over sub-batches); measured ≤ 1e-6.
   */
  static final double TOL = 1e-5;

  static final double FLOOR = 1e-2;

  private static TrainFixture fx;

  @BeforeAll
  static void load() throws Exception {
    fx = new TrainFixture();
    fx.model.parameters().values().forEach(p -> p.setRequiresGradient(true));
  }

  @AfterAll
  static void close() {
    fx.model.close();
  }

  /** The encoder at the given dropout, sharing the fixture's parameters. */
  private static Encoder encoder(float dropout) {
    return new Encoder(fx.model.config(), dropout, dropout);
  }

  @ParameterizedTest(name = "sub_batch_size {0}, checkpointing {1}, dropout {2}")
  @CsvSource({"0, true, 0", "1, false, 0", "2, false, 0", "1, true, 0", "2, true, 0", "3, true, 0",
      "0, true, 0.1", "1, false, 0.1", "2, false, 0.1", "1, true, 0.1", "2, true, 0.1"})
  void gradientsMatchThePlainPass(int subBatchSize, boolean checkpointing, float dropout) {
    Encoder enc = encoder(dropout);
    Map<String, float[]> plain = onEngineThread(new EncoderPass(enc, fx.model.parameters(), 0, false));
    Map<String, float[]> got = onEngineThread(new EncoderPass(enc, fx.model.parameters(), subBatchSize, checkpointing));
    assertMatch(plain, got, "sub " + subBatchSize + " ckpt " + checkpointing + " dropout " + dropout);
  }

  @ParameterizedTest(name = "sub_batch_size {0}, checkpointing {1}")
  @CsvSource({"0, false", "0, true", "2, false", "2, true"})
  void withoutDropoutMatchesTheReference(int subBatchSize, boolean checkpointing) {
    Map<String, float[]> got = onEngineThread(new EncoderPass(encoder(0f), fx.model.parameters(), subBatchSize,
        checkpointing));
    JsonNode want = fx.training.get("cases").get("unified_self_distill").get("grad");
    for (Iterator<Map.Entry<String, JsonNode>> it = want.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      TrainFixture.assertClose(e.getValue(), got.get(e.getKey()), "grad " + e.getKey());
    }
  }

  @Test
  void dropoutChangesTheGradients() {
    Map<String, float[]> none = onEngineThread(new EncoderPass(encoder(0f), fx.model.parameters(), 0, false));
    Map<String, float[]> some = onEngineThread(new EncoderPass(encoder(0.1f), fx.model.parameters(), 0, false));
    float[] a = none.get("embeddings.word_embeddings.weight");
    float[] b = some.get("embeddings.word_embeddings.weight");
    assertTrue(maxDifference(a, b) > 1e-2 * maxAbs(a), "dropout 0.1 must change the gradients");
  }

  @Test
  void worksOnAThreadThatIsNotTheEngines() throws Exception {
    Encoder enc = encoder(0.1f);
    Map<String, float[]> plain = onEngineThread(new EncoderPass(enc, fx.model.parameters(), 0, false));
    AtomicReference<Map<String, float[]>> got = new AtomicReference<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread t = new Thread(() -> {
      try (Autograd autograd = new Autograd()) {
        got.set(gradients(new EncoderPass(enc, fx.model.parameters(), 2, true), autograd::backward));
      } catch (Throwable e) {
        failure.set(e);
      }
    });
    t.start();
    t.join();
    if (failure.get() != null) {
      throw new AssertionError("rank thread failed", failure.get());
    }
    assertMatch(plain, got.get(), "non-engine thread");
  }

  private static Map<String, float[]> onEngineThread(EncoderPass pass) {
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      return gradients(pass, gc::backward);
    }
  }

  /** Gradients of every parameter after one forward/backward of the unified self-distillation loss. */
  private static Map<String, float[]> gradients(EncoderPass pass, Consumer<NDArray> lossBackward) {
    Map<String, NDArray> params = fx.model.parameters();
    Gradients.zero(params.values());
    try (NDManager m = NDManager.newBaseManager()) {
      EncodedBatch q = EncodedBatch.of(pass.forward(fx.queries(), new DropoutKey(11, 0), m), fx.queries(), params);
      EncodedBatch p = EncodedBatch.of(pass.forward(fx.passages(), new DropoutKey(12, 0), m), fx.passages(), params);
      ScoreMatrices s = ScoreMatrices.compute(q, p, fx.temperature, fx.model.tokenizer().specialIds());
      UnifiedLoss l = UnifiedLoss.of(s, x -> InfoNceLoss.of(x, fx.groupSize));
      lossBackward.accept(SelfDistillLoss.of(s, l.total()).total());
      pass.backward();
    }
    Map<String, float[]> out = new LinkedHashMap<>();
    for (Map.Entry<String, NDArray> e : params.entrySet()) {
      try (NDArray g = e.getValue().getGradient()) {
        out.put(e.getKey(), g.toFloatArray());
      }
    }
    return out;
  }

  static void assertMatch(Map<String, float[]> want, Map<String, float[]> got, String what) {
    assertEquals(want.keySet(), got.keySet());
    double largest = 0;
    for (float[] g : want.values()) {
      largest = Math.max(largest, maxAbs(g));
    }
    double worst = 0;
    int floored = 0;
    for (String name : want.keySet()) {
      floored += maxAbs(want.get(name)) < FLOOR * largest ? 1 : 0;
      double err = maxDifference(want.get(name), got.get(name)) / Math.max(maxAbs(want.get(name)), FLOOR * largest);
      if (!(err <= TOL)) {
        throw new AssertionError(what + ": gradient of " + name + " differs by " + err + " of its largest value");
      }
      worst = Math.max(worst, err);
    }
    System.out.println(what + ": worst gradient difference " + worst + " of the parameter's largest value; "
        + floored + " of " + want.size() + " parameters compared against the floor");
  }

  static double maxDifference(float[] a, float[] b) {
    assertEquals(a.length, b.length);
    double diff = 0;
    for (int i = 0; i < a.length; i++) {
      diff = Math.max(diff, Math.abs((double) a[i] - b[i]));
    }
    return diff;
  }

  static double maxAbs(float[] a) {
    double m = 0;
    for (float v : a) {
      m = Math.max(m, Math.abs(v));
    }
    return m;
  }
}
