package io.m3spark.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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
   * Runs the steps in alternating blocks so that both see the same machine load: {@code warmup} untimed rounds, then
   * blocks of at least {@code minRuns} runs and a quarter of {@code minSeconds} per step, until each step has
   * {@code minSeconds} of timings. A block (rather than single alternating runs) keeps one engine's idle worker threads,
   * which spin for a while after each call, from slowing the other engine's next call. Returns each step's median.
   */
  static double[] alternating(int warmup, int minRuns, double minSeconds, Step... steps) throws Exception {
    for (int w = 0; w < warmup; w++) {
      for (Step s : steps) {
        s.run();
      }
    }
    List<List<Double>> times = new ArrayList<>();
    double[] total = new double[steps.length];
    for (int k = 0; k < steps.length; k++) {
      times.add(new ArrayList<>());
    }
    while (Arrays.stream(total).min().orElse(0) < minSeconds) {
      for (int k = 0; k < steps.length; k++) {
        steps[k].run(); // first call of a block absorbs the other engine's spinning threads; not timed
        double block = 0;
        for (int r = 0; r < minRuns || block < minSeconds / 4; r++) {
          double t = once(steps[k]);
          times.get(k).add(t);
          block += t;
        }
        total[k] += block;
      }
    }
    double[] medians = new double[steps.length];
    for (int k = 0; k < steps.length; k++) {
      double[] t = times.get(k).stream().mapToDouble(Double::doubleValue).sorted().toArray();
      medians[k] = t[t.length / 2];
    }
    return medians;
  }
}
