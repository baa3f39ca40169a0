package io.m3spark.weights.onnx;

import io.m3spark.weights.HostTensor;
import java.util.List;
import java.util.Map;

/**
 * One node of an ONNX graph, reduced to what weight mapping needs.
 *
 * @param name the node's name, e.g. {@code /encoder/layer.0/attention/self/query/MatMul} (may be empty)
 * @param opType the operator, e.g. {@code MatMul}
 * @param inputs names of the values it consumes, in order
 * @param outputs names of the values it produces
 * @param constantValue the {@code value} attribute of a {@code Constant} node, otherwise null
 * @param floatAttributes the node's single-float attributes, e.g. {@code epsilon} of {@code LayerNormalization}
 */
public record OnnxNode(String name, String opType, List<String> inputs, List<String> outputs, HostTensor constantValue,
    Map<String, Float> floatAttributes) {
  public OnnxNode {
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
    floatAttributes = Map.copyOf(floatAttributes);
  }
}
