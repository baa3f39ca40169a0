package io.m3spark.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes a state dict in PyTorch's zip format, laid out as {@code torch.save} (PyTorch 1.13) does, so that
 * {@code torch.load(f, weights_only=True)} and FlagEmbedding read it: archive folder = the file name without its
 * extension, entries {@code data.pkl}, {@code data/<key>} (one storage per tensor, keys in PyTorch's string order:
 * 0, 1, 10, 11, …, 2, …), {@code version}. Tensors are streamed from their (possibly memory-mapped) bytes into a
 * temporary file that then replaces {@code file}.
 */
public final class TorchZipWriter {
  private static final String VERSION = "3\n";

  private TorchZipWriter() {}

  /** Writes {@code stateDict} (tensor name → tensor, in the order given) to {@code file}. */
  public static void write(Path file, Map<String, HostTensor> stateDict) throws IOException {
    String prefix = archiveName(file) + "/";
    byte[] pickle = TorchPickleWriter.stateDict(stateDict);
    List<HostTensor> tensors = new ArrayList<>(stateDict.values());
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < tensors.size(); i++) {
      keys.add(Integer.toString(i));
    }
    keys.sort(null); // torch.save writes storages in sorted(key) order, and keys are strings
    io.m3spark.io.AtomicFiles.write(file, ch -> {
      TorchZipRecords zip = new TorchZipRecords(ch, prefix);
      zip.add("data.pkl", ByteBuffer.wrap(pickle));
      for (String key : keys) {
        zip.add("data/" + key, tensors.get(Integer.parseInt(key)).bytes());
      }
      zip.add("version", ByteBuffer.wrap(VERSION.getBytes(StandardCharsets.US_ASCII)));
      zip.finish();
    });
  }

  /** PyTorch's archive folder name: the file name up to its last dot. */
  static String archiveName(Path file) {
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String base = dot >= 0 ? name.substring(0, dot) : name;
    if (base.isEmpty()) {
      throw new IllegalArgumentException("cannot name a torch archive after " + file);
    }
    return base;
  }
}
