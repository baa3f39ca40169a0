package io.m3spark.model;

import io.m3spark.weights.HostTensor;
import io.m3spark.weights.SafetensorsWriter;
import io.m3spark.weights.TorchPickleReader;
import io.m3spark.weights.TorchZipWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** The weight-file readers and writers of {@code io.m3spark.weights} that this package uses, behind one seam. */
final class WeightsIO {
  private WeightsIO() {}

  static Map<String, HostTensor> readTorch(Path file) throws IOException {
    return TorchPickleReader.read(file);
  }

  static void writeTorch(Path file, Map<String, HostTensor> tensors) throws IOException {
    TorchZipWriter.write(file, tensors);
  }

  static void writeSafetensors(Path file, Map<String, HostTensor> tensors, Map<String, String> metadata)
      throws IOException {
    SafetensorsWriter.write(file, tensors, metadata);
  }
}
