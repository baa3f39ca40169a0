package io.m3spark.train.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonMappingException;
import io.m3spark.train.DeepSpeedWarmup;
import org.junit.jupiter.api.Test;

/** scheduler.json: files written before the DeepSpeed schedules still read; every schedule round-trips exactly. */
class SchedulerStateJsonTest {
  private static SchedulerState roundTrip(SchedulerState s) throws Exception {
    return CheckpointJson.MAPPER.readValue(CheckpointJson.MAPPER.writeValueAsString(s), SchedulerState.class);
  }

  @Test
  void existingHuggingFaceFileReadsAndWritesTheSameFields() throws Exception {
    String old = "{\"type\":\"linear\",\"base_lr\":1e-5,\"warmup_steps\":3,\"total_steps\":100,\"current_step\":7}";
    SchedulerState s = CheckpointJson.MAPPER.readValue(old, SchedulerState.class);
    assertEquals(new SchedulerState("linear", 1e-5, 3, 100, 7), s);
    String written = CheckpointJson.MAPPER.writeValueAsString(s);
    assertFalse(written.contains("warmup_type"), written);
    assertEquals(s, roundTrip(s));
  }

  @Test
  void deepSpeedSchedulesRoundTripWithTheirLearningRates() throws Exception {
    SchedulerState decay = SchedulerState.deepSpeedWarmup(true, 0.0, 1e-5, 100, 1000, DeepSpeedWarmup.LOG).atStep(42);
    SchedulerState warm = SchedulerState.deepSpeedWarmup(false, 1e-7, 1e-5, 10, 50, DeepSpeedWarmup.LINEAR);
    SchedulerState cosine = SchedulerState.deepSpeedCosine(3e-5, 0.1, 1e-4, 20, 200, DeepSpeedWarmup.LOG).atStep(5);
    for (SchedulerState s : new SchedulerState[] {decay, warm, cosine}) {
      SchedulerState back = roundTrip(s);
      assertEquals(s, back);
      for (long step = 0; step < 300; step += 7) {
        assertEquals(s.schedule().lr(step), back.schedule().lr(step), 0.0, s.type() + " at " + step);
      }
    }
  }

  @Test
  void fieldsMustFitTheType() {
    String noCurve = "{\"type\":\"WarmupDecayLR\",\"base_lr\":1e-5,\"warmup_steps\":3,\"total_steps\":100,"
        + "\"current_step\":0,\"warmup_min_lr\":0.0}";
    JsonMappingException e = assertThrows(JsonMappingException.class,
        () -> CheckpointJson.MAPPER.readValue(noCurve, SchedulerState.class));
    assertEquals(true, e.getMessage().contains("warmup_type"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> new SchedulerState("linear", 1e-5, 3, 100, 0, "log", null, null, null));
  }
}
