package io.m3spark.bench;

import java.util.Arrays;

/** Warm-up, then repeated timed runs; medians, since these machines are shared and noisy. */
final class Timing {
  private Timing() {}

  interface Step {
    void run() throws Exception;
  }

  /** Seconds of one run of {@code step}. */
  static double once(Step step) throws Exception {
    long t = System.nanoTime();
    step.run();
    return (System.nanoTime() - t) / 1e9;
  }

  /**
   * Runs the steps alternately (so both see the same machine load): {@code warmup} untimed rounds, then rounds until
   * each step has {@code minRuns} timings and at least {@code minSeconds} of them. Returns each step's median.
   */
  static double[] alternating(int warmup, int minRuns, double minSeconds, Step... steps) throws Exception {
    for (int w = 0; w < warmup; w++) {
      for (Step s : steps) {
        s.run();
      }
    }
    double[][] times = new double[steps.length][minRuns * 64];
    double[] total = new double[steps.length];
    int runs = 0;
    while (runs < times[0].length && (runs < minRuns || Arrays.stream(total).min().orElse(0) < minSeconds)) {
      for (int k = 0; k < steps.length; k++) {
        times[k][runs] = once(steps[k]);
        total[k] += times[k][runs];
      }
      runs++;
    }
    double[] medians = new double[steps.length];
    for (int k = 0; k < steps.length; k++) {
      double[] t = Arrays.copyOf(times[k], runs);
      Arrays.sort(t);
      medians[k] = t[runs / 2];
    }
    return medians;
  }
}
