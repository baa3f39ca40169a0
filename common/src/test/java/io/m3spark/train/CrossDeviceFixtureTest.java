package io.m3spark.train;

import static io.m3spark.train.TrainFixture.assertClose;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import io.m3spark.train.collective.Collective;
import io.m3spark.train.collective.RingCollective;
import io.m3spark.train.collective.RingSecret;
import io.m3spark.train.collective.RingSettings;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * expected.json → training.cross_device_world_2: two data-parallel ranks as two threads, each with its own model and
 * one query of the fixture batch, joined by a {@link RingCollective} on loopback.
 */
class CrossDeviceFixtureTest {
  private static final int WORLD = 2;
  private static final String[] LOSSES = {"L_dense", "L_sparse", "L_colbert", "L_ensemble", "L_unified", "SD_dense",
      "SD_sparse", "SD_colbert", "L_final"};

  /** What one rank computed: its losses, and its gradient checks after the all-reduce (keyed like the fixture). */
  private record RankResult(Map<String, Float> losses, Map<String, float[]> grads, Map<String, Double> gradNorms,
      double totalGradNorm) {}

  @Test
  void matchesFixture() throws Exception {
    // DJL switches libtorch's per-thread grad mode off only in the thread that starts the engine: start it on the
    // test thread, not in a rank thread, so later tests on this thread (AdamW's in-place updates) run without autograd
    Engine.getInstance();
    List<RingCollective.Listener> listeners = new ArrayList<>();
    RingSecret secret = RingSecret.random();
    List<InetSocketAddress> peers = new ArrayList<>();
    for (int r = 0; r < WORLD; r++) {
      listeners.add(RingCollective.open("127.0.0.1"));
      peers.add(listeners.get(r).address());
    }
    ExecutorService threads = Executors.newFixedThreadPool(WORLD);
    List<RankResult> results = new ArrayList<>();
    JsonNode want;
    try {
      List<Future<RankResult>> running = new ArrayList<>();
      for (int r = 0; r < WORLD; r++) {
        int rank = r;
        running.add(threads.submit(() -> {
          try (Collective c = listeners.get(rank).connect(rank, peers, secret,
              RingSettings.of(Duration.ofSeconds(60)))) {
            return runRank(c);
          }
        }));
      }
      for (Future<RankResult> f : running) {
        results.add(f.get());
      }
      want = new TrainFixture().training.get("cross_device_world_2");
    } finally {
      threads.shutdownNow();
      for (RingCollective.Listener l : listeners) {
        l.close();
      }
    }
    Map<String, Double> errors = new LinkedHashMap<>();
    for (int r = 0; r < WORLD; r++) {
      RankResult got = results.get(r);
      JsonNode values = want.get("rank_values").get(r);
      for (String key : LOSSES) {
        errors.merge(key, assertClose(values.get(key).asDouble(), got.losses().get(key), "rank " + r + " " + key),
            Math::max);
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = want.get("grad").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        errors.merge("grad " + e.getKey(),
            assertClose(e.getValue(), got.grads().get(e.getKey()), "rank " + r + " grad " + e.getKey()), Math::max);
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = want.get("grad_norm").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        errors.merge("grad_norm " + e.getKey(), assertClose(e.getValue().asDouble(), got.gradNorms().get(e.getKey()),
            "rank " + r + " grad_norm " + e.getKey()), Math::max);
      }
      errors.merge("total_grad_norm", assertClose(want.get("total_grad_norm").asDouble(), got.totalGradNorm(),
          "rank " + r + " total_grad_norm"), Math::max);
    }
    System.out.println("cross_device_world_2 max errors over both ranks: " + errors);
  }

  /** One rank's training step: forward on its query, unified + self-distill loss, backward, gradient all-reduce. */
  private static RankResult runRank(Collective collective) throws Exception {
    TrainFixture fx = new TrainFixture();
    int rank = collective.rank();
    JsonNode want = fx.training.get("cross_device_world_2");
    Map<String, NDArray> params = fx.model.parameters();
    try {
      params.values().forEach(p -> p.setRequiresGradient(true));
      Map<String, Float> losses = new LinkedHashMap<>();
      try (NDManager m = NDManager.newBaseManager(); Autograd autograd = new Autograd()) {
        EncodedBatch q = EncodedBatch.encode(fx.model.encoder(), params, fx.rankQueries(rank), m);
        EncodedBatch p = EncodedBatch.encode(fx.model.encoder(), params, fx.rankPassages(rank), m);
        CrossDeviceScores s = CrossDeviceScores.compute(q, p, fx.temperature, fx.model.tokenizer().specialIds(),
            collective);
        UnifiedLoss l = UnifiedLoss.of(s, x -> InfoNceLoss.of(x, fx.groupSize));
        SelfDistillLoss sd = SelfDistillLoss.of(s.local(), l.total());
        NDArray[] all = {l.dense(), l.sparse(), l.colbert(), l.ensemble(), l.total(), sd.dense(), sd.sparse(),
            sd.colbert(), sd.total()};
        for (int i = 0; i < LOSSES.length; i++) {
          losses.put(LOSSES[i], all[i].toFloatArray()[0]);
        }
        autograd.backward(sd.total());
      }
      GradientSync.allReduceMean(params, collective);
      Map<String, float[]> grads = new LinkedHashMap<>();
      want.get("grad").fieldNames().forEachRemaining(name -> {
        try (NDArray g = params.get(name).getGradient()) {
          grads.put(name, g.toFloatArray());
        }
      });
      Map<String, Double> norms = new LinkedHashMap<>();
      want.get("grad_norm").fieldNames().forEachRemaining(name -> norms.put(name, Gradients.norm(params.get(name))));
      return new RankResult(losses, grads, norms, Gradients.totalNorm(params.values()));
    } finally {
      fx.model.close();
    }
  }
}
