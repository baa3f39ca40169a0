package io.m3spark.train.checkpoint;

import io.m3spark.train.AdamWState;
import io.m3spark.weights.HostTensor;
import io.m3spark.weights.SafetensorsFile;
import io.m3spark.weights.SafetensorsWriter;
import io.m3spark.weights.WeightsFormatException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code optimizer.safetensors}: AdamW's moments as tensors named {@code exp_avg.<parameter>} and
 * {@code exp_avg_sq.<parameter>} (torch's state names), in their own element type, and the step count in the
 * metadata. Safetensors keeps the bytes exactly, so a restored optimizer is bit-identical.
 */
final class OptimizerFile {
  static final String NAME = "optimizer.safetensors";
  private static final String FIRST = "exp_avg.";
  private static final String SECOND = "exp_avg_sq.";
  private static final String STEP = "step";

  private OptimizerFile() {}

  static void write(Path file, AdamWState state) throws IOException {
    Map<String, HostTensor> tensors = new LinkedHashMap<>();
    state.firstMoments().forEach((name, t) -> tensors.put(FIRST + name, t));
    state.secondMoments().forEach((name, t) -> tensors.put(SECOND + name, t));
    SafetensorsWriter.write(file, tensors, Map.of("format", "pt", STEP, Long.toString(state.steps())));
  }

  static AdamWState read(Path file) throws IOException {
    SafetensorsFile st = SafetensorsFile.open(file);
    String step = st.metadata().get(STEP);
    if (step == null) {
      throw new WeightsFormatException(file, "no '" + STEP + "' in the metadata: not an AdamW state file");
    }
    Map<String, HostTensor> first = new TreeMap<>();
    Map<String, HostTensor> second = new TreeMap<>();
    for (String name : st.names()) {
      // exp_avg_sq. first: exp_avg. is its prefix
      if (name.startsWith(SECOND)) {
        second.put(name.substring(SECOND.length()), st.get(name));
      } else if (name.startsWith(FIRST)) {
        first.put(name.substring(FIRST.length()), st.get(name));
      } else {
        throw new WeightsFormatException(file, "unexpected tensor '" + name + "' in an AdamW state file");
      }
    }
    try {
      return new AdamWState(Long.parseLong(step), first, second);
    } catch (IllegalArgumentException e) {
      throw new WeightsFormatException(file, e.getMessage());
    }
  }
}
