package io.m3spark.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a PyTorch state dict saved by {@code torch.save} (the zip format, PyTorch 1.6 and later) without running
 * any Python: the pickle is interpreted by {@link SafePickle}, which accepts only the globals a tensor state dict
 * needs ({@code collections.OrderedDict}, {@code torch._utils._rebuild_tensor_v2}, {@code _rebuild_parameter},
 * {@code torch._tensor._rebuild_from_type_v2} for plain tensors, and the typed storages) and refuses the file,
 * naming the global, for anything else.
 *
 * <p>Tensors are returned contiguous and row-major. Those that already are contiguous in their storage stay
 * memory-mapped; strided views are copied. The top-level object must be a dict of name → tensor; a checkpoint
 * that wraps it as {@code {"state_dict": {...}}} or {@code {"module": {...}}} (Lightning, DeepSpeed) is unwrapped,
 * in that order of preference, and its other top-level entries are ignored.
 */
public final class TorchPickleReader {
  private static final long MAX_PICKLE_BYTES = 256L << 20;
  private static final List<String> WRAPPER_KEYS = List.of("state_dict", "module");

  private TorchPickleReader() {}

  /**
   * The state dict in {@code file}, in the pickle's order. Every way the file can be malformed is a
   * {@link WeightsFormatException} naming it; the limits on the pickle are {@link SafePickle}'s, those on tensor views
   * {@link TorchStateDictHost}'s.
   */
  public static Map<String, HostTensor> read(Path file) throws IOException {
    try {
      return readArchive(file);
    } catch (RuntimeException e) {
      // the checks above are meant to be complete; if one is missing the file is still refused by name, not the job
      throw new WeightsFormatException(file, "malformed checkpoint (" + e.getClass().getSimpleName() + ")", e);
    }
  }

  private static Map<String, HostTensor> readArchive(Path file) throws IOException {
    if (!ZipIndex.looksLikeZip(file)) {
      throw new WeightsFormatException(file, "not a PyTorch zip checkpoint. The legacy (pre-1.6) torch.save format is"
          + " not supported: convert it with PyTorch >= 1.6, e.g. torch.save(torch.load(path), path2), or save it as"
          + " safetensors (safetensors.torch.save_file)");
    }
    ZipIndex zip = ZipIndex.open(file);
    String prefix = archivePrefix(file, zip);
    checkByteOrder(file, zip, prefix);
    ZipIndex.Entry pklEntry = zip.entries().get(prefix + "data.pkl");
    if (pklEntry.size() > MAX_PICKLE_BYTES) {
      throw new WeightsFormatException(file, "data.pkl is " + pklEntry.size() + " bytes, too large for a state dict");
    }
    ByteBuffer mapped = zip.map(pklEntry);
    byte[] pickle = new byte[mapped.remaining()];
    mapped.get(pickle);
    Object root = SafePickle.load(file, pickle, TorchStateDictHost.ALLOWED_GLOBALS,
        new TorchStateDictHost(file, zip, prefix));
    return stateDict(file, root);
  }

  /** The folder all entries live under ({@code <name>/data.pkl}); PyTorch lets it be anything. */
  private static String archivePrefix(Path file, ZipIndex zip) throws WeightsFormatException {
    List<String> found = new ArrayList<>();
    for (String name : zip.entries().keySet()) {
      int slash = name.indexOf('/');
      if (slash > 0 && name.substring(slash + 1).equals("data.pkl")) {
        found.add(name.substring(0, slash + 1));
      }
    }
    if (found.size() != 1) {
      throw new WeightsFormatException(file, "not a torch.save archive: expected one <archive>/data.pkl entry, found "
          + found.size());
    }
    return found.get(0);
  }

  private static void checkByteOrder(Path file, ZipIndex zip, String prefix) throws IOException {
    ZipIndex.Entry e = zip.entries().get(prefix + "byteorder");
    if (e != null) {
      ByteBuffer b = zip.map(e);
      byte[] text = new byte[b.remaining()];
      b.get(text);
      if (!new String(text, StandardCharsets.US_ASCII).trim().equals("little")) {
        throw new WeightsFormatException(file, "big-endian checkpoints are not supported");
      }
    }
  }

  private static Map<String, HostTensor> stateDict(Path file, Object root) throws WeightsFormatException {
    if (!(root instanceof Map<?, ?> top)) {
      throw new WeightsFormatException(file, "the pickle holds " + SafePickle.describe(root) + ", not a state dict");
    }
    Map<?, ?> dict = top;
    if (!allTensors(top)) {
      for (String key : WRAPPER_KEYS) {
        if (top.get(key) instanceof Map<?, ?> inner) {
          dict = inner;
          break;
        }
      }
    }
    Map<String, HostTensor> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : dict.entrySet()) {
      if (!(e.getKey() instanceof String name) || !(e.getValue() instanceof HostTensor t)) {
        throw new WeightsFormatException(file, "not a state dict: entry " + entryName(e.getKey()) + " holds "
            + SafePickle.describe(e.getValue()) + ", not a tensor");
      }
      out.put(name, t);
    }
    return out;
  }

  /** A key as it may appear in a message: an integer, or a string cut to a readable length. */
  private static String entryName(Object key) {
    if (key instanceof String s) {
      return "'" + (s.length() > 200 ? s.substring(0, 200) + "…" : s) + "'";
    }
    return String.valueOf(key); // SafePickle admits only string and integer keys
  }

  private static boolean allTensors(Map<?, ?> m) {
    return m.values().stream().allMatch(v -> v instanceof HostTensor);
  }
}
