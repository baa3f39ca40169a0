package io.m3spark.weights.onnx;

import io.m3spark.weights.DType;
import io.m3spark.weights.HostTensor;
import io.m3spark.weights.WeightsFormatException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Gives each weight of an ONNX export of a Hugging Face BERT / XLM-R encoder its Hugging Face name, as float32.
 *
 * <p>The rule (it held for every tensor of the exports we have seen): {@code torch.onnx.export} keeps a parameter's
 * state-dict name when the graph uses it as is (embeddings, biases, LayerNorm), but a {@code nn.Linear} weight that the
 * exporter folded into {@code x @ Wᵀ} becomes an anonymous initializer {@code onnx::MatMul_N} holding Wᵀ. That one is
 * the second input of exactly one MatMul node, whose name is the module path: {@code /encoder/layer.0/attention/self/query/MatMul}
 * → {@code encoder.layer.0.attention.self.query.weight}, transposed back from [in, out] to [out, in].
 *
 * <p>Floating-point initializers that fit neither form are an error, so no weight is ever dropped silently. Integer
 * initializers (shape and index constants such as {@code position_ids}) and single-element floats (the attention
 * scale, LayerNorm's eps) are graph constants, not weights: they stay in the graph and are listed in
 * {@link Result#skipped()}.
 */
final class BertWeightMapping {
  private static final String ANONYMOUS_PREFIX = "onnx::";

  private BertWeightMapping() {}

  /**
   * @param weights the float32 tensors by Hugging Face name
   * @param onnxToHf for every mapped initializer, ONNX name → Hugging Face name
   * @param skipped the graph constants that were left out
   */
  record Result(Map<String, HostTensor> weights, Map<String, String> onnxToHf, List<String> skipped) {}

  /**
   * Maps the graph's initializers. It takes each weight out of {@code graph.initializers()} as it maps it, so that
   * a transposed copy never coexists with its original for more than one tensor; graph constants stay.
   */
  static Result map(OnnxGraph graph, Path file) throws WeightsFormatException {
    Map<String, List<OnnxNode>> consumers = consumersByInput(graph);
    Map<String, HostTensor> weights = new LinkedHashMap<>();
    Map<String, String> onnxToHf = new LinkedHashMap<>();
    List<String> skipped = new ArrayList<>();
    for (Iterator<Map.Entry<String, HostTensor>> it = graph.initializers().entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, HostTensor> e = it.next();
      String onnxName = e.getKey();
      HostTensor t = e.getValue();
      if (!t.dtype().isFloatingPoint() || t.numel() == 1) {
        skipped.add(onnxName);
        continue;
      }
      it.remove();
      String hfName;
      HostTensor mapped;
      if (onnxName.startsWith(ANONYMOUS_PREFIX)) {
        hfName = linearWeightName(onnxName, t, consumers.getOrDefault(onnxName, List.of()), file);
        mapped = transposedF32(t);
      } else {
        hfName = onnxName;
        mapped = toF32(t);
      }
      if (weights.put(hfName, mapped) != null) {
        String other = onnxToHf.entrySet().stream().filter(m -> m.getValue().equals(hfName))
            .map(Map.Entry::getKey).findFirst().orElse("?");
        throw new WeightsFormatException(file, "initializers " + other + " and " + onnxName
            + " both map to the Hugging Face name " + hfName);
      }
      onnxToHf.put(onnxName, hfName);
    }
    return new Result(weights, onnxToHf, skipped);
  }

  private static Map<String, List<OnnxNode>> consumersByInput(OnnxGraph graph) {
    Map<String, List<OnnxNode>> out = new LinkedHashMap<>();
    for (OnnxNode n : graph.nodes()) {
      for (String input : n.inputs()) {
        List<OnnxNode> list = out.computeIfAbsent(input, k -> new ArrayList<>());
        if (!list.contains(n)) {
          list.add(n);
        }
      }
    }
    return out;
  }

  private static String linearWeightName(String onnxName, HostTensor t, List<OnnxNode> consumers, Path file)
      throws WeightsFormatException {
    if (consumers.size() != 1) {
      throw new WeightsFormatException(file, "anonymous weight " + onnxName + " is used by " + consumers.size()
          + " nodes " + consumers.stream().map(OnnxNode::name).toList()
          + "; the importer can only name a weight that feeds exactly one MatMul");
    }
    OnnxNode node = consumers.get(0);
    String nodeName = node.name();
    if (!node.opType().equals("MatMul") || node.inputs().indexOf(onnxName) != 1
        || !nodeName.startsWith("/") || !nodeName.endsWith("/MatMul") || t.shape().length != 2) {
      throw new WeightsFormatException(file, "anonymous weight " + onnxName + " " + Arrays.toString(t.shape())
          + " feeds node '" + nodeName + "' (" + node.opType() + "), not the right-hand side of a module's "
          + "'/<module path>/MatMul' node, so it cannot be given a Hugging Face name");
    }
    String modulePath = nodeName.substring(1, nodeName.length() - "/MatMul".length());
    return modulePath.replace('/', '.') + ".weight";
  }

  private static HostTensor toF32(HostTensor t) {
    return t.dtype() == DType.F32 ? t : HostTensor.ofFloats(t.toFloats(), t.shape());
  }

  /** [in, out] → [out, in] as float32: the layout of {@code nn.Linear.weight}. */
  private static HostTensor transposedF32(HostTensor t) {
    long[] shape = t.shape();
    int rows = Math.toIntExact(shape[0]);
    int cols = Math.toIntExact(shape[1]);
    FloatBuffer src = t.dtype() == DType.F32 ? t.bytes().asFloatBuffer() : FloatBuffer.wrap(t.toFloats());
    ByteBuffer out = ByteBuffer.allocate(Math.multiplyExact(Math.multiplyExact(rows, cols), 4)).order(ByteOrder.LITTLE_ENDIAN);
    FloatBuffer dst = out.asFloatBuffer();
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        dst.put(c * rows + r, src.get(r * cols + c));
      }
    }
    return new HostTensor(DType.F32, new long[] {cols, rows}, out);
  }
}
