package io.m3spark.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * The machine's fp32 matrix-multiply rate through the same libtorch our encoder uses: a warmed-up square product
 * (2048³ by default) and a BERT-shaped one (4096 tokens × 384 → 1536), medians of repeated runs. The ceiling that
 * encoder GFLOP/s figures are compared with.
 */
public final class MatmulCeiling {
  private MatmulCeiling() {}

  public static void main(String[] args) throws Exception {
    io.m3spark.model.M3Model.setNumThreads(Runtime.getRuntime().availableProcessors());
    System.out.printf("square 2048³: %.0f GFLOP/s%n", gflops(2048, 2048, 2048));
    System.out.printf("BERT-small-shaped 4096×384×1536: %.0f GFLOP/s%n", gflops(4096, 384, 1536));
  }

  /** GFLOP/s of an (m×k)·(k×n) fp32 product on the CPU. */
  static double gflops(int m, int k, int n) throws Exception {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray a = manager.randomUniform(-1, 1, new Shape(m, k));
      NDArray b = manager.randomUniform(-1, 1, new Shape(k, n));
      double[] median = Timing.alternating(3, 10, 1.0, () -> {
        try (NDArray c = a.matMul(b)) {
          c.getFloat(0, 0); // force completion
        }
      });
      return 2.0 * m * k * n / median[0] / 1e9;
    }
  }
}
