package io.m3spark.train;

import static io.m3spark.train.TrainFixture.assertClose;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import io.m3spark.text.TokenBatch;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Score matrices, losses and gradients against expected.json → training.cases. */
class UnifiedLossFixtureTest {
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

  @ParameterizedTest
  @ValueSource(strings = {"unified", "unified_self_distill", "kd_kl_div_self_distill", "kd_m3_kd_loss_self_distill"})
  void matchesFixture(String name) {
    JsonNode want = fx.training.get("cases").get(name);
    JsonNode values = want.get("values");
    Map<String, NDArray> params = fx.model.parameters();
    Gradients.zero(params.values());
    Map<String, Double> errors = new LinkedHashMap<>();
    try (NDManager m = NDManager.newBaseManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      TokenBatch qt = fx.queries();
      TokenBatch pt = fx.passages();
      EncodedBatch q = EncodedBatch.encode(fx.model.encoder(), params, qt, m);
      EncodedBatch p = EncodedBatch.encode(fx.model.encoder(), params, pt, m);
      ScoreMatrices s = ScoreMatrices.compute(q, p, fx.temperature, fx.model.tokenizer().specialIds());
      int g = fx.groupSize;
      UnifiedLoss.PerMatrix perMatrix;
      if (name.startsWith("kd_")) {
        NDArray teacher = TeacherScores.probabilities(fx.teacherScores(), m);
        perMatrix = name.startsWith("kd_kl_div") ? x -> KlDivKdLoss.of(x, teacher, g) : x -> M3KdLoss.of(x, teacher, g);
      } else {
        perMatrix = x -> InfoNceLoss.of(x, g);
      }
      UnifiedLoss l = UnifiedLoss.of(s, perMatrix);
      NDArray fin = l.total();
      if (name.endsWith("self_distill")) {
        SelfDistillLoss sd = SelfDistillLoss.of(s, l.total());
        check(errors, values, "SD_dense", sd.dense());
        check(errors, values, "SD_sparse", sd.sparse());
        check(errors, values, "SD_colbert", sd.colbert());
        fin = sd.total();
      }
      check(errors, values, "S_dense", s.dense());
      check(errors, values, "S_sparse", s.sparse());
      check(errors, values, "S_colbert", s.colbert());
      check(errors, values, "S_ensemble", s.ensemble());
      check(errors, values, "L_dense", l.dense());
      check(errors, values, "L_sparse", l.sparse());
      check(errors, values, "L_colbert", l.colbert());
      check(errors, values, "L_ensemble", l.ensemble());
      check(errors, values, "L_unified", l.total());
      check(errors, values, "L_final", fin);
      gc.backward(fin);
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = want.get("grad").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      errors.put("grad " + e.getKey(), assertClose(e.getValue(), params.get(e.getKey()).getGradient().toFloatArray(),
          name + " grad " + e.getKey()));
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = want.get("grad_norm").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      errors.put("grad_norm " + e.getKey(), assertClose(e.getValue().asDouble(), Gradients.norm(params.get(e.getKey())),
          name + " grad_norm " + e.getKey()));
    }
    errors.put("total_grad_norm", assertClose(want.get("total_grad_norm").asDouble(), Gradients.totalNorm(params.values()),
        name + " total_grad_norm"));
    System.out.println(name + " max errors: " + errors);
  }

  private static void check(Map<String, Double> errors, JsonNode values, String key, NDArray got) {
    JsonNode w = values.get(key);
    float[] g = got.toFloatArray();
    if (w.isNumber()) {
      errors.put(key, assertClose(w.asDouble(), g[0], key));
      return;
    }
    double max = 0;
    int cols = w.get(0).size();
    for (int r = 0; r < w.size(); r++) {
      for (int c = 0; c < cols; c++) {
        max = Math.max(max, assertClose(w.get(r).get(c).asDouble(), g[r * cols + c], key + "[" + r + "][" + c + "]"));
      }
    }
    errors.put(key, max);
  }
}
