package io.m3spark.model;

import io.m3spark.weights.HostTensor;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.Map;

/**
 * The weight-file readers and writers of {@code io.m3spark.weights} that this package uses for pickled torch files and
 * for writing, called through one seam (bound by reflection until those classes are on this branch).
 */
final class WeightsIO {
  private WeightsIO() {}

  @SuppressWarnings("unchecked")
  static Map<String, HostTensor> readTorch(Path file) throws IOException {
    return (Map<String, HostTensor>) call("io.m3spark.weights.TorchPickleReader", "read",
        new Class<?>[] {Path.class}, file);
  }

  static void writeTorch(Path file, Map<String, HostTensor> tensors) throws IOException {
    call("io.m3spark.weights.TorchZipWriter", "write", new Class<?>[] {Path.class, Map.class}, file, tensors);
  }

  static void writeSafetensors(Path file, Map<String, HostTensor> tensors, Map<String, String> metadata)
      throws IOException {
    call("io.m3spark.weights.SafetensorsWriter", "write", new Class<?>[] {Path.class, Map.class, Map.class}, file,
        tensors, metadata);
  }

  private static Object call(String cls, String method, Class<?>[] types, Object... args) throws IOException {
    Method m;
    try {
      m = Class.forName(cls).getMethod(method, types);
    } catch (ReflectiveOperationException e) {
      throw new UnsupportedOperationException(cls + "." + method + " is not available in this build", e);
    }
    try {
      return m.invoke(null, args);
    } catch (InvocationTargetException e) {
      Throwable c = e.getCause();
      if (c instanceof IOException io) {
        throw io;
      }
      if (c instanceof RuntimeException re) {
        throw re;
      }
      if (c instanceof Error er) {
        throw er;
      }
      throw new IOException(c);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }
}
