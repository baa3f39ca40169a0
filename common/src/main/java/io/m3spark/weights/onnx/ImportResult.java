package io.m3spark.weights.onnx;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link OnnxImporter#importModel} wrote.
 *
 * @param folder the Hugging Face model folder
 * @param config the inferred {@code config.json}
 * @param onnxToHf every ONNX initializer that became a weight, ONNX name → Hugging Face name (file order)
 * @param skippedConstants initializers that are graph constants (integer indices, scalars), not weights
 */
public record ImportResult(Path folder, EncoderConfig config, Map<String, String> onnxToHf,
    List<String> skippedConstants) {
  public ImportResult {
    onnxToHf = Collections.unmodifiableMap(new LinkedHashMap<>(onnxToHf));
    skippedConstants = List.copyOf(skippedConstants);
  }
}
