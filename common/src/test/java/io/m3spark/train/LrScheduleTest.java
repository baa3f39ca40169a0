package io.m3spark.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LrScheduleTest {
  @Test
  void linearWarmupThenDecay() {
    LrSchedule s = LrSchedule.linear(1e-3, 1, 4);
    assertEquals(0.0, s.lr(0));
    assertEquals(1e-3, s.lr(1), 1e-15);
    assertEquals(2e-3 / 3, s.lr(2), 1e-15);
    assertEquals(1e-3 / 3, s.lr(3), 1e-15);
    assertEquals(0.0, s.lr(4));
    assertEquals(0.0, s.lr(9), "never negative past the end");
  }

  @Test
  void cosineWarmupThenHalfPeriod() {
    LrSchedule s = LrSchedule.cosine(2.0, 2, 6);
    assertEquals(1.0, s.lr(1), 1e-12);
    assertEquals(2.0, s.lr(2), 1e-12);
    assertEquals(1.0, s.lr(4), 1e-12);
    assertEquals(0.0, s.lr(6), 1e-12);
  }

  @Test
  void constantWithWarmup() {
    LrSchedule s = LrSchedule.constantWithWarmup(0.5, 4);
    assertEquals(0.125, s.lr(1), 1e-15);
    assertEquals(0.5, s.lr(4));
    assertEquals(0.5, s.lr(1000));
  }

  @Test
  void rejectsWarmupLongerThanTraining() {
    assertThrows(IllegalArgumentException.class, () -> LrSchedule.linear(1e-3, 5, 4));
  }
}
