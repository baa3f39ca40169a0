package io.m3spark.weights.onnx;

import io.m3spark.weights.HostTensor;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The parts of an ONNX model's main graph that hold or locate weights: its initializers (named constant tensors,
 * in file order) and its nodes.
 */
public record OnnxGraph(Map<String, HostTensor> initializers, List<OnnxNode> nodes) {

  /** The node with this name, if any. */
  public Optional<OnnxNode> node(String name) {
    return nodes.stream().filter(n -> n.name().equals(name)).findFirst();
  }

  /**
   * The constant tensor behind a value: an initializer of that name, or the output of a {@code Constant} node
   * (exporters use either form for scalars).
   */
  public Optional<HostTensor> constant(String valueName) {
    HostTensor init = initializers.get(valueName);
    if (init != null) {
      return Optional.of(init);
    }
    return nodes.stream()
        .filter(n -> n.constantValue() != null && n.outputs().contains(valueName))
        .map(OnnxNode::constantValue)
        .findFirst();
  }

  /** Whether any node runs this operator. */
  public boolean hasOp(String opType) {
    return nodes.stream().anyMatch(n -> n.opType().equals(opType));
  }
}
