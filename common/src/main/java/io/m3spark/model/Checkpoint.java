package io.m3spark.model;

import io.m3spark.weights.EncoderLayers;
import io.m3spark.weights.HostTensor;
import io.m3spark.weights.SafetensorsWeights;
import io.m3spark.weights.TorchPickleReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Reads a model folder's backbone weights (model.safetensors, a sharded model.safetensors.index.json, or
 * pytorch_model.bin) and its head files, and normalises tensor names to Hugging Face's un-prefixed form.
 */
final class Checkpoint {
  static final String SAFETENSORS = "model.safetensors";
  static final String SAFETENSORS_INDEX = "model.safetensors.index.json";
  static final String TORCH_BIN = "pytorch_model.bin";
  static final String COLBERT_FILE = "colbert_linear.pt";
  static final String SPARSE_FILE = "sparse_linear.pt";

  /** Tensors by normalised name, and the file each came from (for error messages). */
  record Tensors(Map<String, HostTensor> tensors, Map<String, Path> source) {}

  private Checkpoint() {}

  static Tensors readBackbone(Path folder) throws IOException {
    Map<String, HostTensor> raw = new LinkedHashMap<>();
    Map<String, Path> source = new LinkedHashMap<>();
    Path st = folder.resolve(SAFETENSORS);
    Path idx = folder.resolve(SAFETENSORS_INDEX);
    Path bin = folder.resolve(TORCH_BIN);
    if (Files.isRegularFile(st) || Files.isRegularFile(idx)) {
      // Sharded checkpoints are validated (shards inside the folder, every tensor where the index says) by the reader.
      Path named = Files.isRegularFile(st) ? st : idx;
      for (Map.Entry<String, HostTensor> e : SafetensorsWeights.read(folder).entrySet()) {
        raw.put(e.getKey(), e.getValue());
        source.put(e.getKey(), named);
      }
    } else if (Files.isRegularFile(bin)) {
      for (Map.Entry<String, HostTensor> e : TorchPickleReader.read(bin).entrySet()) {
        raw.put(e.getKey(), e.getValue());
        source.put(e.getKey(), bin);
      }
    } else {
      throw new IOException("no weights in " + folder + ": expected " + SAFETENSORS + ", " + SAFETENSORS_INDEX + " or "
          + TORCH_BIN);
    }
    Map<String, HostTensor> out = new LinkedHashMap<>();
    Map<String, Path> outSource = new LinkedHashMap<>();
    for (Map.Entry<String, HostTensor> e : raw.entrySet()) {
      String name = normalizeName(e.getKey());
      if (out.put(name, e.getValue()) != null) {
        throw new IOException(source.get(e.getKey()) + ": tensor '" + name + "' appears twice (after removing prefixes)");
      }
      outSource.put(name, source.get(e.getKey()));
    }
    return new Tensors(out, outSource);
  }

  /** The encoder layer numbers the tensors name ({@code encoder.layer.N.…}), each checked against its file. */
  static Set<Integer> layerNumbers(Tensors t) throws IOException {
    Set<Integer> layers = new HashSet<>();
    for (String name : t.tensors().keySet()) {
      int layer = EncoderLayers.indexOf(t.source().get(name), name, t.tensors().size());
      if (layer >= 0) {
        layers.add(layer);
      }
    }
    return layers;
  }

  /** Strips {@code roberta.}/{@code bert.} and maps old {@code LayerNorm.gamma/beta} names to weight/bias. */
  static String normalizeName(String name) {
    String n = name;
    for (String prefix : new String[] {"roberta.", "bert.", "xlm_roberta."}) {
      if (n.startsWith(prefix)) {
        n = n.substring(prefix.length());
        break;
      }
    }
    if (n.contains("LayerNorm.")) {
      if (n.endsWith(".gamma")) {
        n = n.substring(0, n.length() - ".gamma".length()) + ".weight";
      } else if (n.endsWith(".beta")) {
        n = n.substring(0, n.length() - ".beta".length()) + ".bias";
      }
    }
    return n;
  }

  /** A head file's {@code weight} and {@code bias}. */
  static Map<String, HostTensor> readHead(Path file) throws IOException {
    Map<String, HostTensor> m = TorchPickleReader.read(file);
    for (String k : new String[] {"weight", "bias"}) {
      if (!m.containsKey(k)) {
        throw new IOException(file + ": no tensor '" + k + "' (found " + m.keySet() + ")");
      }
    }
    return m;
  }

  /** A heap copy, so the tensor outlives a memory-mapped file that save() may replace. */
  static HostTensor heapCopy(HostTensor t) {
    ByteBuffer src = t.bytes();
    ByteBuffer copy = ByteBuffer.allocate(src.remaining()).order(ByteOrder.LITTLE_ENDIAN);
    copy.put(src).flip();
    return new HostTensor(t.dtype(), t.shape(), copy);
  }
}
