package io.m3spark.bench;

import io.m3spark.model.ModelConfig;

/**
 * Floating-point operations of one encoder forward pass (multiply-add = 2), the arithmetic the achieved GFLOP/s figures
 * divide: per layer the Q, K, V and output projections (4·2·n·h²), the feed-forward pair (2·2·n·h·i) and attention
 * (scores and context, 2·2·b·L²·h) for n = b·L padded tokens. Embedding look-ups, layer norms, softmax and the M3
 * heads are left out: they are memory-bound and below 2% of the total at these sizes.
 */
final class EncoderFlops {
  private EncoderFlops() {}

  static double forward(ModelConfig config, int batch, int paddedLength) {
    double h = config.hiddenSize();
    double i = config.intermediateSize();
    double n = (double) batch * paddedLength;
    double perLayer = 4 * 2 * n * h * h + 2 * 2 * n * h * i + 2 * 2 * batch * (double) paddedLength * paddedLength * h;
    return perLayer * config.numHiddenLayers();
  }
}
