package io.m3spark.train;

import ai.djl.pytorch.jni.JniUtils;
import java.util.function.Supplier;

/**
 * libtorch's gradient recording switch, which is per thread: DJL turns it off only on the thread that started the
 * engine, so on any other thread (a Spark task, a rank thread) it is on unless set. Code that must record or must not
 * record sets it explicitly and restores what it found.
 */
final class GradMode {
  private GradMode() {}

  /** The body's result, computed with this thread's gradient recording set to {@code on}. */
  static <T> T with(boolean on, Supplier<T> body) {
    boolean before = JniUtils.isGradMode();
    JniUtils.setGradMode(on);
    try {
      return body.get();
    } finally {
      JniUtils.setGradMode(before);
    }
  }
}
