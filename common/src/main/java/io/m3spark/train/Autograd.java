package io.m3spark.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Gradient recording for the calling thread. libtorch's grad mode is per thread, while DJL's {@code GradientCollector}
 * is one per JVM (a static flag): two training ranks running as tasks of one executor (local mode, several GPUs per
 * executor) cannot both hold one. Each rank thread therefore switches grad mode itself for the duration of this scope
 * and back-propagates through the engine's JNI, which is what the collector does minus the JVM-wide flag.
 *
 * <p>Outside such a scope a training thread should run with grad mode off ({@link #disableOnThisThread}): a new
 * thread starts with it on, and optimizer or clipping arithmetic would otherwise build graphs nobody frees.
 */
public final class Autograd implements AutoCloseable {
  static {
    Engine.getEngine("PyTorch"); // loads libtorch, whose JNI functions this class calls directly
  }

  private final boolean before = JniUtils.isGradMode();

  /** Starts recording on this thread; {@link #close} restores what the thread had. */
  public Autograd() {
    JniUtils.setGradMode(true);
  }

  /** Turns recording off for the calling thread. */
  public static void disableOnThisThread() {
    JniUtils.setGradMode(false);
  }

  /** d(loss)/d(leaf) for every leaf that requires a gradient, accumulated into its gradient. */
  public void backward(NDArray loss) {
    try (NDArray seed = loss.onesLike()) {
      JniUtils.backward((PtNDArray) loss, (PtNDArray) seed, false, false);
    }
  }

  @Override
  public void close() {
    JniUtils.setGradMode(before);
  }
}
