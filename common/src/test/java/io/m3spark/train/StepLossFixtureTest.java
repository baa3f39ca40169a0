package io.m3spark.train;

import static io.m3spark.train.TrainFixture.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import io.m3spark.text.TokenBatch;
import io.m3spark.train.collective.Collective;
import io.m3spark.train.collective.LocalCollective;
import io.m3spark.train.collective.RingCollective;
import io.m3spark.train.collective.RingSecret;
import io.m3spark.train.collective.RingSettings;
import io.m3spark.train.data.TrainBatch;
import io.m3spark.train.step.KdLossType;
import io.m3spark.train.step.LossOptions;
import io.m3spark.train.step.LossValue;
import io.m3spark.train.step.StepLoss;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link StepLoss}, the composition the training job runs, against the fixture's training cases (values to 1e-4),
 * and its cross-device distillation paths on two ranks against the same loss computed on the whole batch in one
 * process.
 */
class StepLossFixtureTest {
  private static TrainFixture fx;

  @BeforeAll
  static void load() throws Exception {
    Engine.getInstance();
    fx = new TrainFixture();
  }

  @AfterAll
  static void close() {
    fx.model.close();
  }

  private static TrainBatch fixtureBatch(boolean withTeacher) {
    float[] teacher = null;
    if (withTeacher) {
      float[][] t = fx.teacherScores();
      teacher = new float[t.length * fx.groupSize];
      for (int b = 0; b < t.length; b++) {
        System.arraycopy(t[b], 0, teacher, b * fx.groupSize, fx.groupSize);
      }
    }
    return new TrainBatch(fx.queries(), fx.passages(), teacher, fx.groupSize, false);
  }

  @ParameterizedTest
  @ValueSource(strings = {"unified", "unified_self_distill", "kd_kl_div_self_distill", "kd_m3_kd_loss_self_distill"})
  void matchesTheFixtureCases(String name) {
    boolean kd = name.startsWith("kd_");
    KdLossType type = !kd ? null : name.startsWith("kd_kl_div") ? KdLossType.KL_DIV : KdLossType.M3_KD_LOSS;
    LossOptions options = new LossOptions(fx.temperature, true, name.endsWith("self_distill"), -1, type, false);
    JsonNode values = fx.training.get("cases").get(name).get("values");
    try (NDManager m = NDManager.newBaseManager()) {
      TrainBatch batch = fixtureBatch(kd);
      LossValue v = compute(options, batch, 0, new LocalCollective(), m);
      Map<String, Double> parts = v.partValues();
      assertClose(values.get("L_dense").asDouble(), parts.get("loss_dense"), name + " dense");
      assertClose(values.get("L_sparse").asDouble(), parts.get("loss_sparse"), name + " sparse");
      assertClose(values.get("L_colbert").asDouble(), parts.get("loss_colbert"), name + " colbert");
      assertClose(values.get("L_ensemble").asDouble(), parts.get("loss_ensemble"), name + " ensemble");
      assertClose(values.get("L_final").asDouble(), v.total().getFloat(), name + " total");
      if (name.endsWith("self_distill")) {
        double sd = (values.get("SD_dense").asDouble() + 0.1 * values.get("SD_sparse").asDouble()
            + values.get("SD_colbert").asDouble()) / 3;
        assertClose(sd, parts.get("loss_self_distill"), name + " self-distillation");
      }
    }
  }

  @Test
  void selfDistillationStartsAfterTheConfiguredForwardPass() {
    LossOptions options = new LossOptions(fx.temperature, true, true, 0, null, false);
    JsonNode values = fx.training.get("cases").get("unified_self_distill").get("values");
    try (NDManager m = NDManager.newBaseManager()) {
      // FlagEmbedding counts forward passes from 0 and distils when the count exceeds self_distill_start_step
      LossValue first = compute(options, fixtureBatch(false), 0, new LocalCollective(), m);
      assertClose(values.get("L_unified").asDouble(), first.total().getFloat(), "pass 0: unified only");
      LossValue second = compute(options, fixtureBatch(false), 1, new LocalCollective(), m);
      assertClose(values.get("L_final").asDouble(), second.total().getFloat(), "pass 1: with self-distillation");
    }
  }

  @Test
  void denseOnlyIsTheFixturesDenseLoss() {
    LossOptions options = new LossOptions(fx.temperature, false, true, -1, null, false);
    JsonNode values = fx.training.get("cases").get("unified").get("values");
    try (NDManager m = NDManager.newBaseManager()) {
      LossValue v = compute(options, fixtureBatch(false), 0, new LocalCollective(), m);
      assertEquals(List.of("loss_dense"), List.copyOf(v.parts().keySet()));
      assertClose(values.get("L_dense").asDouble(), v.total().getFloat(), "dense only");
    }
  }

  /**
   * Cross-device distillation on two ranks, one query each. m3_kd_loss gathers scores and teacher, so each rank's
   * dense loss equals the single-process loss of the whole batch; kl_div distils on the rank's own groups and adds
   * InfoNCE over the gathered matrix, which is the whole batch's InfoNCE.
   */
  @ParameterizedTest
  @ValueSource(strings = {"m3_kd_loss", "kl_div"})
  void crossDeviceDistillationMatchesTheWholeBatch(String kdType) throws Exception {
    KdLossType type = KdLossType.parse(kdType);
    float[][] teacher = fx.teacherScores();
    double[] perRank = new double[2];
    List<RingCollective.Listener> listeners = new ArrayList<>();
    RingSecret secret = RingSecret.random();
    List<InetSocketAddress> peers = new ArrayList<>();
    for (int r = 0; r < 2; r++) {
      listeners.add(RingCollective.open("127.0.0.1"));
      peers.add(listeners.get(r).address());
    }
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      List<Future<Double>> running = new ArrayList<>();
      for (int r = 0; r < 2; r++) {
        int rank = r;
        running.add(threads.submit(() -> {
          try (Collective c = listeners.get(rank).connect(rank, peers, secret, RingSettings.of(Duration.ofSeconds(60)));
              NDManager m = NDManager.newBaseManager()) {
            TrainBatch batch = new TrainBatch(fx.rankQueries(rank), fx.rankPassages(rank), teacher[rank].clone(),
                fx.groupSize, false);
            LossOptions options = new LossOptions(fx.temperature, false, false, -1, type, true);
            return (double) compute(options, batch, 0, c, m).total().getFloat();
          }
        }));
      }
      for (int r = 0; r < 2; r++) {
        perRank[r] = running.get(r).get();
      }
    } finally {
      threads.shutdownNow();
      listeners.forEach(RingCollective.Listener::close);
    }
    try (NDManager m = NDManager.newBaseManager()) {
      // the same two queries and groups, each padded as its rank padded it, scored in one process
      TokenBatch q = concat(fx.rankQueries(0), fx.rankQueries(1));
      TokenBatch p = concat(fx.rankPassages(0), fx.rankPassages(1));
      EncodedBatch eq = EncodedBatch.encode(fx.model.encoder(), fx.model.parameters(), q, m);
      EncodedBatch ep = EncodedBatch.encode(fx.model.encoder(), fx.model.parameters(), p, m);
      NDArray dense = eq.dense().matMul(ep.dense().transpose()).div(fx.temperature);
      NDArray probs = TeacherScores.probabilities(teacher, m);
      for (int r = 0; r < 2; r++) {
        double want;
        if (type == KdLossType.M3_KD_LOSS) {
          want = M3KdLoss.of(dense, probs, fx.groupSize).getFloat();
        } else {
          NDArray own = dense.get(r + ":" + (r + 1) + ", " + r * fx.groupSize + ":" + (r + 1) * fx.groupSize);
          NDArray distill = probs.get(r + ":" + (r + 1)).mul(own.logSoftmax(1)).sum().neg();
          want = distill.getFloat() + InfoNceLoss.of(dense, fx.groupSize).getFloat();
        }
        assertClose(want, perRank[r], kdType + " rank " + r);
      }
    }
  }

  /** Rows of two batches in one, padded to the wider; padding does not change any score. */
  private static TokenBatch concat(TokenBatch a, TokenBatch b) {
    int width = Math.max(a.width(), b.width());
    int rows = a.batchSize() + b.batchSize();
    int[][] ids = new int[rows][width];
    int[][] mask = new int[rows][width];
    int[] lengths = new int[rows];
    int at = 0;
    for (TokenBatch t : List.of(a, b)) {
      for (int i = 0; i < t.batchSize(); i++, at++) {
        java.util.Arrays.fill(ids[at], fx.model.tokenizer().padId());
        System.arraycopy(t.ids()[i], 0, ids[at], 0, t.width());
        System.arraycopy(t.attentionMask()[i], 0, mask[at], 0, t.width());
        lengths[at] = t.lengths()[i];
      }
    }
    return new TokenBatch(ids, mask, lengths);
  }

  private static LossValue compute(LossOptions options, TrainBatch batch, long forwardIndex, Collective c,
      NDManager m) {
    EncodedBatch q = EncodedBatch.encode(fx.model.encoder(), fx.model.parameters(), batch.queries(), m);
    EncodedBatch p = EncodedBatch.encode(fx.model.encoder(), fx.model.parameters(), batch.passages(), m);
    return new StepLoss(options, fx.model.tokenizer().specialIds()).compute(q, p, batch, forwardIndex, c, m);
  }
}
