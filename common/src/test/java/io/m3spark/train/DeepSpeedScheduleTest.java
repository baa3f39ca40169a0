package io.m3spark.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * DeepSpeed's schedules against values worked out by hand from {@code deepspeed/runtime/lr_schedules.py}: optimizer
 * step s uses DeepSpeed iteration s − 1, the minimum before the first scheduler step, W = max(2, warmup_num_steps).
 * Tolerance 1e-12 absolute (values of order 1).
 */
class DeepSpeedScheduleTest {
  private static final double TOL = 1e-12;

  @Test
  void warmupDecayLogCurveThenLinearDecayNeverBelowMin() {
    LrSchedule s = LrSchedule.warmupDecayLr(0.1, 1.1, 4, 10, DeepSpeedWarmup.LOG);
    assertEquals(0.1, s.lr(0), TOL, "first step: scheduler not started, minimum");
    assertEquals(0.1, s.lr(1), TOL, "iteration 0: log(1) = 0");
    assertEquals(0.6, s.lr(2), TOL, "iteration 1: log 2 / log 4 = 1/2");
    assertEquals(0.8924812503605781, s.lr(3), TOL, "iteration 2: log 3 / log 4");
    assertEquals(1.1, s.lr(4), TOL, "iteration 3 = W − 1: log 4 / log 4, peak already");
    assertEquals(1.1, s.lr(5), TOL, "iteration 4 = W: (10 − 4) / (10 − 4)");
    assertEquals(0.1 + 5.0 / 6, s.lr(6), TOL);
    assertEquals(0.1 + 1.0 / 6, s.lr(10), TOL, "last of 10 steps: still above the minimum");
    assertEquals(0.1, s.lr(11), TOL, "iteration T");
    assertEquals(0.1, s.lr(12), TOL, "past T: clamped at the minimum");
  }

  @Test
  void warmupDecayLinearCurve() {
    LrSchedule s = LrSchedule.warmupDecayLr(0.1, 1.1, 4, 10, DeepSpeedWarmup.LINEAR);
    assertEquals(0.1, s.lr(1), TOL);
    assertEquals(0.35, s.lr(2), TOL, "1/4");
    assertEquals(0.85, s.lr(4), TOL, "iteration W − 1: 3/4, not yet the peak");
    assertEquals(1.1, s.lr(5), TOL);
  }

  @Test
  void warmupLrHoldsThePeakAndUsesAtLeastTwoWarmupSteps() {
    LrSchedule log = LrSchedule.warmupLr(0.0, 1.0, 1, DeepSpeedWarmup.LOG);
    assertEquals(0.0, log.lr(1), TOL);
    assertEquals(1.0, log.lr(2), TOL, "W = 2: log 2 / log 2");
    assertEquals(1.0, log.lr(1000), TOL);
    LrSchedule linear = LrSchedule.warmupLr(0.0, 1.0, 0, DeepSpeedWarmup.LINEAR);
    assertEquals(0.5, linear.lr(2), TOL, "W = 2: 1/2");
    assertEquals(1.0, linear.lr(3), TOL);
  }

  @Test
  void warmupCosineStartsAtZeroAndFollowsTheUnclampedCosine() {
    LrSchedule s = LrSchedule.warmupCosineLr(2.0, 0.1, 0.2, 2, 6, DeepSpeedWarmup.LINEAR);
    assertEquals(0.0, s.lr(0), TOL, "DeepSpeed's get_lr gives 0 before the first step");
    assertEquals(0.2, s.lr(1), TOL, "ratio = warmup_min_ratio");
    assertEquals(1.1, s.lr(2), TOL, "0.1 + 1/2 · 0.9");
    assertEquals(1.765685424949238, s.lr(3), TOL, "0.2 + 0.8 · (1 + cos(π/4)) / 2");
    assertEquals(0.4, s.lr(6), TOL, "cos(π): cos_min_ratio");
    assertEquals(0.6343145750507619, s.lr(7), TOL, "past T the cosine rises again, as in DeepSpeed");
  }

  @Test
  void cosineNeedsDecaySteps() {
    assertThrows(IllegalArgumentException.class,
        () -> LrSchedule.warmupCosineLr(1.0, 0, 0, 5, 5, DeepSpeedWarmup.LOG));
  }

  @Test
  void unknownWarmupTypeIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> DeepSpeedWarmup.of("exp"));
  }
}
