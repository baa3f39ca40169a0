package io.m3spark.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.m3spark.train.collective.LocalCollective;
import io.m3spark.train.data.TrainBatch;
import io.m3spark.train.precision.LossScaling;
import io.m3spark.train.precision.MixedPrecision;
import io.m3spark.train.step.LossOptions;
import io.m3spark.train.step.StepLoss;
import io.m3spark.train.step.TrainStep;
import io.m3spark.train.step.TrainableParameters;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A training step leaves no tensor behind: after warm-up (Adam's moments, gradients, fp16 copies exist), further
 * steps keep the number of live NDArrays in the optimizer's and the model's managers constant. A leak of a few
 * parameter-sized temporaries per step costs gigabytes within a few hundred steps.
 */
class TrainStepLeakTest {

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void liveArraysStayConstantAcrossSteps(boolean fp16) throws Exception {
    Engine.getInstance();
    TrainFixture fx = new TrainFixture();
    Map<String, NDArray> all = fx.model.parameters();
    NDManager modelManager = all.values().iterator().next().getManager();
    try (NDManager root = NDManager.newBaseManager()) {
      Map<String, NDArray> trainable = TrainableParameters.select(all, fx.model.config(), true, false, false);
      try (AdamW adam = new AdamW(0.9, 0.999, 1e-8, 0.01, TrainableParameters.decayed(false), root);
          MixedPrecision mp = fp16 ? new MixedPrecision(all, trainable, LossScaling.stageZero(8, 1000, 2, false, 1),
              root) : null) {
        Map<String, NDArray> forward = mp == null ? all : mp.working();
        TrainStep step = new TrainStep(forward, trainable,
            new StepLoss(new LossOptions(fx.temperature, true, true, -1, null, false),
                fx.model.tokenizer().specialIds()),
            new TrainStep.Update(adam, 1.0, mp), new LocalCollective(), root,
            new EncoderPass(fx.model.encoder(), forward, 0, false), 7L);
        List<TrainBatch> batch = List.of(new TrainBatch(fx.queries(), fx.passages(), null, fx.groupSize, false));
        for (int s = 0; s < 2; s++) {
          step.run(batch, s, s, 1e-4);
        }
        int warm = live(root) + live(modelManager);
        for (int s = 2; s < 6; s++) {
          step.run(batch, s, s, 1e-4);
        }
        assertEquals(warm, live(root) + live(modelManager), "live NDArrays after 4 more steps");
      }
    } finally {
      fx.model.close();
    }
  }

  private static int live(NDManager m) {
    return m.getManagedArrays().size();
  }
}
