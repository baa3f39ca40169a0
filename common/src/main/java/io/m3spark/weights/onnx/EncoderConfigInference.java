package io.m3spark.weights.onnx;

import io.m3spark.weights.EncoderLayers;
import io.m3spark.weights.HostTensor;
import io.m3spark.weights.WeightsFormatException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Infers an {@link EncoderConfig} from an ONNX export's graph and its mapped weights, and checks that every tensor a
 * BERT / XLM-R encoder needs is there.
 *
 * <ul>
 *   <li>vocab and hidden size: {@code embeddings.word_embeddings.weight}; intermediate size: layer 0's
 *       {@code intermediate.dense.weight}; layers: one past the highest N of the {@code encoder.layer.N.…} tensors,
 *       each of those layers then complete (a layer number is checked by {@link EncoderLayers} before it is used);
 *   <li>heads: hidden / head dim, the head dim being the square of the constant that layer 0's attention scores are
 *       divided by ({@code /encoder/layer.0/attention/self/Div}, i.e. √head_dim);
 *   <li>LayerNorm eps: the constant added to the variance in {@code /embeddings/LayerNorm/Add}, or the
 *       {@code epsilon} of a fused {@code LayerNormalization} node;
 *   <li>model type: XLM-R (RoBERTa) computes position ids from the input with a cumulative sum over the non-pad mask
 *       (positions start at pad id + 1), BERT slices a fixed 0..L-1 range. So a graph with a {@code CumSum} node is
 *       {@code xlm-roberta}, any other {@code bert};
 *   <li>activation: the exact GELU that both use is exported as {@code Erf}; a graph without it is refused rather
 *       than imported with a guessed activation.
 * </ul>
 */
final class EncoderConfigInference {
  private static final String[] EMBEDDING_TENSORS = {
    "embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight",
    "embeddings.token_type_embeddings.weight", "embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias"
  };
  private static final String[] LAYER_TENSORS = {
    "attention.self.query.weight", "attention.self.query.bias", "attention.self.key.weight", "attention.self.key.bias",
    "attention.self.value.weight", "attention.self.value.bias", "attention.output.dense.weight",
    "attention.output.dense.bias", "attention.output.LayerNorm.weight", "attention.output.LayerNorm.bias",
    "intermediate.dense.weight", "intermediate.dense.bias", "output.dense.weight", "output.dense.bias",
    "output.LayerNorm.weight", "output.LayerNorm.bias"
  };

  private EncoderConfigInference() {}

  static EncoderConfig infer(OnnxGraph graph, Map<String, HostTensor> weights, int padTokenId, Path file)
      throws WeightsFormatException {
    HostTensor words = weights.get("embeddings.word_embeddings.weight");
    if (words == null || words.shape().length != 2) {
      throw new WeightsFormatException(file, "no embeddings.word_embeddings.weight [vocab, hidden] among the "
          + "initializers: not an ONNX export of a Hugging Face BERT or XLM-R encoder");
    }
    int layers = countLayers(weights, file);
    checkComplete(weights, layers, file);
    int vocab = size(words, 0, "embeddings.word_embeddings.weight", file);
    int hidden = size(words, 1, "embeddings.word_embeddings.weight", file);
    int intermediate = size(weights.get("encoder.layer.0.intermediate.dense.weight"), 0,
        "encoder.layer.0.intermediate.dense.weight", file);
    int positions = size(weights.get("embeddings.position_embeddings.weight"), 0,
        "embeddings.position_embeddings.weight", file);
    int typeVocab = size(weights.get("embeddings.token_type_embeddings.weight"), 0,
        "embeddings.token_type_embeddings.weight", file);
    int headDim = headDim(graph, file);
    if (hidden % headDim != 0) {
      throw new WeightsFormatException(file, "hidden size " + hidden + " is not a multiple of the head dimension "
          + headDim + " inferred from the attention scale");
    }
    if (!graph.hasOp("Erf")) {
      throw new WeightsFormatException(file, "no Erf node: the activation is not the exact GELU of BERT / XLM-R, "
          + "and the importer does not guess another");
    }
    String type = graph.hasOp("CumSum") ? EncoderConfig.XLM_ROBERTA : EncoderConfig.BERT;
    return new EncoderConfig(type, vocab, hidden, layers, hidden / headDim, intermediate, positions, typeVocab,
        layerNormEps(graph, file), "gelu", padTokenId);
  }

  /** One past the highest layer number; a gap (layer 3 missing) shows up in checkComplete as its missing tensors. */
  private static int countLayers(Map<String, HostTensor> weights, Path file) throws WeightsFormatException {
    int highest = -1;
    for (String name : weights.keySet()) {
      highest = Math.max(highest, EncoderLayers.indexOf(file, name, weights.size()));
    }
    return highest + 1;
  }

  private static void checkComplete(Map<String, HostTensor> weights, int layers, Path file)
      throws WeightsFormatException {
    if (layers == 0) {
      throw new WeightsFormatException(file, "no encoder layers: no encoder.layer.N.… initializer");
    }
    List<String> missing = new ArrayList<>();
    for (String name : EMBEDDING_TENSORS) {
      if (!weights.containsKey(name)) {
        missing.add(name);
      }
    }
    for (int i = 0; i < layers; i++) {
      for (String suffix : LAYER_TENSORS) {
        String name = "encoder.layer." + i + "." + suffix;
        if (!weights.containsKey(name)) {
          missing.add(name);
        }
      }
    }
    if (!missing.isEmpty()) {
      throw new WeightsFormatException(file, "missing " + missing.size() + " encoder tensor(s) of " + layers
          + " layers: " + String.join(", ", missing.subList(0, Math.min(10, missing.size())))
          + (missing.size() > 10 ? ", …" : ""));
    }
  }

  /** A config size taken from a tensor's shape: positive and an int, as config.json needs it. */
  private static int size(HostTensor t, int dim, String name, Path file) throws WeightsFormatException {
    long[] shape = t.shape();
    if (shape.length <= dim || shape[dim] < 1 || shape[dim] > Integer.MAX_VALUE) {
      throw new WeightsFormatException(file, name + " has shape " + java.util.Arrays.toString(shape)
          + ", which gives no positive size for dimension " + dim);
    }
    return (int) shape[dim];
  }

  private static int headDim(OnnxGraph graph, Path file) throws WeightsFormatException {
    String div = "/encoder/layer.0/attention/self/Div";
    OnnxNode node = graph.node(div).orElseThrow(() -> new WeightsFormatException(file,
        "no node " + div + " (attention scores divided by √head_dim): cannot infer the number of heads"));
    double scale = scalarInput(graph, node, file);
    long headDim = Math.round(scale * scale);
    if (headDim <= 0 || Math.abs(scale * scale - headDim) > 1e-3 * headDim) {
      throw new WeightsFormatException(file, div + " divides by " + scale + ", which is not √ of a head dimension");
    }
    return (int) headDim;
  }

  private static double layerNormEps(OnnxGraph graph, Path file) throws WeightsFormatException {
    Optional<OnnxNode> fused = graph.node("/embeddings/LayerNorm/LayerNormalization");
    if (fused.isPresent() && fused.get().floatAttributes().containsKey("epsilon")) {
      return fused.get().floatAttributes().get("epsilon");
    }
    String add = "/embeddings/LayerNorm/Add";
    OnnxNode node = graph.node(add).orElseThrow(() -> new WeightsFormatException(file,
        "neither " + add + " nor a LayerNormalization node in the embeddings: cannot infer layer_norm_eps"));
    return scalarInput(graph, node, file);
  }

  /** The one scalar constant among a node's inputs (exporters make it an initializer or a Constant node). */
  private static double scalarInput(OnnxGraph graph, OnnxNode node, Path file) throws WeightsFormatException {
    for (String input : node.inputs()) {
      Optional<HostTensor> c = graph.constant(input);
      if (c.isPresent() && c.get().numel() == 1 && c.get().dtype().isFloatingPoint()) {
        // The shortest decimal of the float32 value: 1e-12, not 9.99999996e-13, as the original config said.
        return Double.parseDouble(Float.toString(c.get().toFloats()[0]));
      }
    }
    throw new WeightsFormatException(file, "node " + node.name() + " has no scalar floating-point constant input");
  }
}
