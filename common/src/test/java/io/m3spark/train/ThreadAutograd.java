package io.m3spark.train;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Autograd for one rank thread of an in-JVM multi-rank test. DJL allows one {@code GradientCollector} per JVM (a
 * static flag), while libtorch's grad mode is per thread; so each rank thread switches grad mode on itself and
 * backpropagates through the engine's JNI, which is what the collector does minus the JVM-wide flag. Real ranks are
 * separate processes and use a {@code GradientCollector}.
 */
final class ThreadAutograd implements AutoCloseable {

  ThreadAutograd() {
    JniUtils.setGradMode(true);
  }

  /** d(loss)/d(parameter), accumulated into every parameter's gradient. */
  void backward(NDArray loss) {
    try (NDArray seed = loss.onesLike()) {
      JniUtils.backward((PtNDArray) loss, (PtNDArray) seed, false, false);
    }
  }

  @Override
  public void close() {
    JniUtils.setGradMode(false);
  }
}
