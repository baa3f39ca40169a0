package io.m3spark.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.m3spark.io.AtomicFiles;
import io.m3spark.text.M3Tokenizer;
import io.m3spark.text.TokenBatch;
import io.m3spark.text.TokenizedText;
import io.m3spark.weights.HostTensor;
import io.m3spark.weights.SafetensorsWriter;
import io.m3spark.weights.TorchZipWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A BGE-M3 model (XLM-R or BERT backbone + ColBERT and sparse heads) loaded from a Hugging Face folder, on a DJL
 * PyTorch device.
 *
 * <p><b>Thread safety:</b> the forward pass is stateless: parameters are read-only NDArrays, and each {@link #embed} /
 * {@link #encode} call does all its work in its own sub-manager, closed before it returns. Concurrent calls from several
 * threads are safe and run in parallel (libtorch's ops are re-entrant); a read-write lock only keeps {@link #close}
 * from freeing the parameters under a running call.
 *
 * <p><b>Memory:</b> every batch's arrays live in a sub-manager closed once results are copied to Java arrays.
 */
public final class M3Model implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(M3Model.class);
  private static final long HEAD_INIT_SEED = 0x4d33L;
  private static final String[] TOKENIZER_FILES = {"tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
      "sentencepiece.bpe.model"};

  private final ModelConfig config;
  private final M3Tokenizer tokenizer;
  private final Device device;
  private final DataType dataType;
  private final NDManager manager;
  private final Map<String, NDArray> params;
  private final Map<String, HostTensor> extras;
  private final Map<String, byte[]> tokenizerFiles;
  private final Encoder encoder;
  private final List<String> warnings;
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private volatile String fingerprint;
  private boolean closed;

  private M3Model(ModelConfig config, M3Tokenizer tokenizer, Device device, DataType dataType, NDManager manager,
      Map<String, NDArray> params, Map<String, HostTensor> extras, Map<String, byte[]> tokenizerFiles, Encoder encoder,
      List<String> warnings) {
    this.config = config;
    this.tokenizer = tokenizer;
    this.device = device;
    this.dataType = dataType;
    this.manager = manager;
    this.params = params;
    this.extras = extras;
    this.tokenizerFiles = tokenizerFiles;
    this.encoder = encoder;
    this.warnings = warnings;
  }

  /** Sets libtorch's intra-op threads for this JVM (e.g. cores per Spark task); call before heavy work. */
  public static void setNumThreads(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + n);
    }
    Engine.getEngine("PyTorch");
    ai.djl.pytorch.jni.JniUtils.setNumThreads(n);
  }

  public static int getNumThreads() {
    Engine.getEngine("PyTorch");
    return ai.djl.pytorch.jni.JniUtils.getNumThreads();
  }

  /** Loads config.json, weights, heads and tokenizer from a Hugging Face–layout folder. */
  public static M3Model load(Path folder, LoadOptions o) throws IOException {
    List<String> warnings = new CopyOnWriteArrayList<>();
    Device device = checkDevice(o.device());
    DataType dt = DataType.FLOAT32;
    if (o.fp16()) {
      if (device.isGpu()) {
        dt = DataType.FLOAT16;
      } else {
        warn(warnings, "fp16 was requested on " + device + ": fp16 is only used on GPU, loading in fp32 (as FlagEmbedding does)");
      }
    }
    ModelConfig config = ModelConfig.read(folder.resolve("config.json"));
    Checkpoint.Tensors backbone = Checkpoint.readBackbone(folder);
    Path src = backbone.source().isEmpty() ? folder : backbone.source().values().iterator().next();
    checkLayerCount(config, Checkpoint.layerNumbers(backbone), folder, src);
    Map<String, long[]> expected = Encoder.expectedShapes(config);
    for (Map.Entry<String, long[]> e : expected.entrySet()) {
      HostTensor t = backbone.tensors().get(e.getKey());
      if (t == null) {
        throw new IOException("missing tensor '" + e.getKey() + "' in " + src + " (config.json: " + config.modelType()
            + ", " + config.numHiddenLayers() + " layers)");
      }
      checkShape(e.getKey(), t, e.getValue(), backbone.source().get(e.getKey()));
    }

    int hidden = config.hiddenSize();
    int colbertDim = o.colbertDim() > 0 ? o.colbertDim() : hidden;
    Map<String, HostTensor> heads = readHeads(folder, hidden, colbertDim, o.initNewHeads(), warnings);

    M3Tokenizer tokenizer = M3Tokenizer.load(folder, config.vocabSize());
    Map<String, byte[]> tokFiles = new LinkedHashMap<>();
    for (String f : TOKENIZER_FILES) {
      Path p = folder.resolve(f);
      if (Files.isRegularFile(p)) {
        tokFiles.put(f, Files.readAllBytes(p));
      }
    }

    NDManager manager = NDManager.newBaseManager(device, "PyTorch");
    try {
      Map<String, NDArray> params = new LinkedHashMap<>();
      for (String name : expected.keySet()) {
        params.put(name, toDevice(manager, backbone.tensors().get(name), dt));
      }
      for (Map.Entry<String, HostTensor> e : heads.entrySet()) {
        params.put(e.getKey(), toDevice(manager, e.getValue(), dt));
      }
      Map<String, HostTensor> extras = new LinkedHashMap<>();
      for (Map.Entry<String, HostTensor> e : backbone.tensors().entrySet()) {
        if (!expected.containsKey(e.getKey())) {
          extras.put(e.getKey(), Checkpoint.heapCopy(e.getValue()));
        }
      }
      float hd = o.hiddenDropout() != null ? o.hiddenDropout() : config.hiddenDropoutProb();
      float ad = o.attentionDropout() != null ? o.attentionDropout() : config.attentionProbsDropoutProb();
      return new M3Model(config, tokenizer, device, dt, manager, Collections.unmodifiableMap(params),
          Collections.unmodifiableMap(extras), tokFiles, new Encoder(config, hd, ad), warnings);
    } catch (RuntimeException e) {
      manager.close();
      tokenizer.close();
      throw e;
    }
  }

  private static Device checkDevice(Device d) {
    if (d.isGpu()) {
      int gpus = Engine.getEngine("PyTorch").getGpuCount();
      if (gpus == 0) {
        throw new IllegalArgumentException("device " + d + " was requested, but the PyTorch native library DJL loaded is "
            + "CPU-only (ai.djl.pytorch:pytorch-native-cpu, or no GPU visible). To run on GPU, leave the "
            + "pytorch-native-cpu jar off the classpath and use a CUDA build of libtorch 2.7.1: set PYTORCH_FLAVOR=cu128 "
            + "(DJL downloads it at first use, needs internet) or PYTORCH_LIBRARY_PATH=<installed libtorch 2.7.x cu128>, "
            + "and check that nvidia-smi sees the GPU. Or load with Device.cpu().");
      }
      if (d.getDeviceId() >= gpus) {
        throw new IllegalArgumentException("device " + d + " was requested, but only " + gpus + " GPU(s) are visible");
      }
    }
    return d;
  }

  /**
   * config.json may not claim more layers than the weights hold: the expected tensors are listed per layer, so
   * {@code num_hidden_layers: 2000000000} would exhaust memory before the first one is found missing. The other sizes
   * need no such bound: they only enter shapes, which are compared with the tensors before anything is allocated.
   */
  private static void checkLayerCount(ModelConfig config, Set<Integer> layers, Path folder, Path weights)
      throws IOException {
    if (config.numHiddenLayers() <= layers.size()) {
      return;
    }
    int missing = 0;
    while (layers.contains(missing)) {
      missing++;
    }
    throw new IOException("missing tensor 'encoder.layer." + missing + ".attention.self.query.weight' in " + weights
        + ": " + folder.resolve("config.json") + " says num_hidden_layers " + config.numHiddenLayers()
        + ", but the weights hold " + layers.size() + " encoder layer(s)");
  }

  private static Map<String, HostTensor> readHeads(Path folder, int hidden, int colbertDim, boolean initNew,
      List<String> warnings) throws IOException {
    Path colbert = folder.resolve(Checkpoint.COLBERT_FILE);
    Path sparse = folder.resolve(Checkpoint.SPARSE_FILE);
    List<String> missing = new ArrayList<>();
    if (!Files.isRegularFile(colbert)) {
      missing.add(Checkpoint.COLBERT_FILE);
    }
    if (!Files.isRegularFile(sparse)) {
      missing.add(Checkpoint.SPARSE_FILE);
    }
    Map<String, HostTensor> heads = new LinkedHashMap<>();
    if (missing.isEmpty()) {
      Map<String, HostTensor> c = Checkpoint.readHead(colbert);
      Map<String, HostTensor> s = Checkpoint.readHead(sparse);
      checkShape("weight", c.get("weight"), new long[] {colbertDim, hidden}, colbert);
      checkShape("bias", c.get("bias"), new long[] {colbertDim}, colbert);
      checkShape("weight", s.get("weight"), new long[] {1, hidden}, sparse);
      checkShape("bias", s.get("bias"), new long[] {1}, sparse);
      heads.put(M3Heads.COLBERT_WEIGHT, c.get("weight"));
      heads.put(M3Heads.COLBERT_BIAS, c.get("bias"));
      heads.put(M3Heads.SPARSE_WEIGHT, s.get("weight"));
      heads.put(M3Heads.SPARSE_BIAS, s.get("bias"));
      return heads;
    }
    if (!initNew) {
      throw new IOException("missing head file(s) " + String.join(" and ", missing) + " in " + folder
          + ": a BGE-M3 checkpoint ships colbert_linear.pt and sparse_linear.pt next to the backbone. Copy them from the "
          + "checkpoint this model came from, or, to start from a plain backbone (fine-tuning a new model), load with "
          + "--init_new_heads (LoadOptions.initNewHeads) to initialise both heads on purpose. (FlagEmbedding silently uses "
          + "random heads here; m3spark does not.)");
    }
    warn(warnings, "missing " + String.join(" and ", missing) + " in " + folder
        + ": both heads (colbert_linear, sparse_linear) are initialised as asked (torch.nn.Linear's default init, fixed "
        + "seed); sparse and ColBERT outputs mean nothing until trained, dense is unaffected");
    SplittableRandom rnd = new SplittableRandom(HEAD_INIT_SEED);
    heads.put(M3Heads.COLBERT_WEIGHT, uniform(rnd, hidden, colbertDim, hidden));
    heads.put(M3Heads.COLBERT_BIAS, uniform(rnd, hidden, colbertDim));
    heads.put(M3Heads.SPARSE_WEIGHT, uniform(rnd, hidden, 1, hidden));
    heads.put(M3Heads.SPARSE_BIAS, uniform(rnd, hidden, 1));
    return heads;
  }

  /** torch.nn.Linear's default init: kaiming_uniform(a=√5) = U(±1/√fan_in) for weights, the same bound for biases. */
  private static HostTensor uniform(SplittableRandom rnd, int fanIn, long... shape) {
    double bound = 1.0 / Math.sqrt(fanIn);
    float[] v = new float[(int) HostTensor.numel(shape)];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (rnd.nextDouble() * 2 * bound - bound);
    }
    return HostTensor.ofFloats(v, shape);
  }

  private static void checkShape(String name, HostTensor t, long[] want, Path file) throws IOException {
    if (!t.dtype().isFloatingPoint()) {
      throw new IOException("tensor '" + name + "' in " + file + " is " + t.dtype() + ", expected a floating-point type");
    }
    if (!Arrays.equals(t.shape(), want)) {
      throw new IOException("tensor '" + name + "' in " + file + " has shape " + Arrays.toString(t.shape())
          + ", expected " + Arrays.toString(want) + " from config.json");
    }
  }

  private static NDArray toDevice(NDManager m, HostTensor t, DataType dt) {
    NDArray a = m.create(t.toFloats(), new Shape(t.shape()));
    if (dt != DataType.FLOAT32) {
      NDArray b = a.toType(dt, false);
      a.close();
      a = b;
    }
    return a;
  }

  private static void warn(List<String> warnings, String msg) {
    LOG.warn(msg);
    warnings.add(msg);
  }

  // ---------------------------------------------------------------------------------------------------------------

  public M3Tokenizer tokenizer() {
    return tokenizer;
  }

  public ModelConfig config() {
    return config;
  }

  public Device device() {
    return device;
  }

  /** FLOAT32, or FLOAT16 when fp16 was requested on GPU. */
  public DataType dataType() {
    return dataType;
  }

  /** The functional encoder (for training / checkpointing). */
  public Encoder encoder() {
    return encoder;
  }

  /** All parameters by Hugging Face name (backbone without prefix, plus {@code colbert_linear.*}, {@code sparse_linear.*}). */
  public Map<String, NDArray> parameters() {
    return params;
  }

  /** Warnings logged while loading (fp16 on CPU, new heads). */
  public List<String> warnings() {
    return List.copyOf(warnings);
  }

  /**
   * Tokenises each text with {@code min(o.maxLength(), config().maxInputLength())} and embeds them all as one padded
   * batch; results in input order.
   */
  public List<Embedding> encode(List<String> texts, EncodeOptions o) {
    if (texts.isEmpty()) {
      return List.of();
    }
    int maxLength = Math.min(o.maxLength(), config.maxInputLength());
    List<TokenizedText> batch = new ArrayList<>(texts.size());
    for (String t : texts) {
      batch.add(tokenizer.encode(t, maxLength));
    }
    return embed(batch, o);
  }

  /** Embeds texts the caller tokenised, as one right-padded batch; results in input order. */
  public List<Embedding> embed(List<TokenizedText> batch, EncodeOptions o) {
    if (batch.isEmpty()) {
      return List.of();
    }
    TokenBatch tb = TokenBatch.pad(batch, tokenizer.padId(), 1);
    int b = tb.batchSize();
    int len = tb.width();
    lock.readLock().lock();
    try {
      ensureOpen();
      try (NDManager sub = manager.newSubManager()) {
        NDArray ids = sub.create(flatten(tb.ids()), new Shape(b, len));
        NDArray mask = sub.create(flatten(tb.attentionMask()), new Shape(b, len));
        NDArray h = encoder.forward(params, ids, mask);
        NDArray maskF = mask.toType(h.getDataType(), false);

        float[] dense = null;
        int denseDim = 0;
        if (o.returnDense()) {
          NDArray d = M3Heads.asFloat32(M3Heads.dense(h, maskF, o.pooling(), o.normalize()));
          denseDim = (int) d.getShape().get(1);
          dense = d.toFloatArray();
        }
        float[] sparse = o.returnSparse() ? M3Heads.asFloat32(M3Heads.sparseWeights(h, params)).toFloatArray() : null;
        float[] colbert = null;
        int cDim = 0;
        if (o.returnColbert()) {
          NDArray c = M3Heads.asFloat32(M3Heads.colbert(h, maskF, params, o.normalize()));
          cDim = (int) c.getShape().get(2);
          colbert = c.toFloatArray();
        }

        int[] special = tokenizer.specialIds();
        List<Embedding> out = new ArrayList<>(b);
        for (int i = 0; i < b; i++) {
          int n = tb.lengths()[i];
          float[] di = dense == null ? null : Arrays.copyOfRange(dense, i * denseDim, (i + 1) * denseDim);
          Map<Integer, Float> si = sparse == null ? null
              : M3Heads.sparseMap(Arrays.copyOfRange(sparse, i * len, (i + 1) * len), tb.ids()[i], n, special);
          float[][] ci = null;
          if (colbert != null) {
            ci = new float[n - 1][];
            for (int t = 0; t < n - 1; t++) {
              int off = (i * (len - 1) + t) * cDim;
              ci[t] = Arrays.copyOfRange(colbert, off, off + cDim);
            }
          }
          out.add(new Embedding(di, si, ci, n, batch.get(i).truncated()));
        }
        return out;
      }
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The last hidden state of each text, unpadded: L_i × hidden (for tests and diagnostics). */
  public List<float[][]> hiddenStates(List<TokenizedText> batch) {
    TokenBatch tb = TokenBatch.pad(batch, tokenizer.padId(), 1);
    int b = tb.batchSize();
    int len = tb.width();
    int hidden = config.hiddenSize();
    lock.readLock().lock();
    try {
      ensureOpen();
      try (NDManager sub = manager.newSubManager()) {
        NDArray ids = sub.create(flatten(tb.ids()), new Shape(b, len));
        NDArray mask = sub.create(flatten(tb.attentionMask()), new Shape(b, len));
        float[] h = M3Heads.asFloat32(encoder.forward(params, ids, mask)).toFloatArray();
        List<float[][]> out = new ArrayList<>(b);
        for (int i = 0; i < b; i++) {
          float[][] rows = new float[tb.lengths()[i]][];
          for (int t = 0; t < rows.length; t++) {
            int off = (i * len + t) * hidden;
            rows[t] = Arrays.copyOfRange(h, off, off + hidden);
          }
          out.add(rows);
        }
        return out;
      }
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Number of NDArrays the model's own manager holds (parameters); for leak checks. */
  int managedArrayCount() {
    return ((ai.djl.ndarray.BaseNDManager) manager).getManagedArrays().size();
  }

  private static long[] flatten(int[][] m) {
    long[] out = new long[m.length * m[0].length];
    int k = 0;
    for (int[] row : m) {
      for (int v : row) {
        out[k++] = v;
      }
    }
    return out;
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("model is closed");
    }
  }

  // ---------------------------------------------------------------------------------------------------------------

  /** Backbone tensors as float32 host tensors (un-prefixed names), then the unknown tensors as loaded. */
  private Map<String, HostTensor> backboneTensors() {
    Map<String, HostTensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, NDArray> e : params.entrySet()) {
      if (!e.getKey().startsWith("colbert_linear.") && !e.getKey().startsWith("sparse_linear.")) {
        out.put(e.getKey(), toHost(e.getValue()));
      }
    }
    out.putAll(extras);
    return out;
  }

  private static HostTensor toHost(NDArray a) {
    float[] v;
    if (a.getDataType() == DataType.FLOAT32) {
      v = a.toFloatArray();
    } else {
      try (NDArray f = a.toType(DataType.FLOAT32, false)) {
        v = f.toFloatArray();
      }
    }
    return HostTensor.ofFloats(v, a.getShape().getShape());
  }

  private Map<String, HostTensor> head(String prefix) {
    Map<String, HostTensor> m = new LinkedHashMap<>();
    m.put("weight", toHost(params.get(prefix + ".weight")));
    m.put("bias", toHost(params.get(prefix + ".bias")));
    return m;
  }

  /**
   * Writes the model in Hugging Face / FlagEmbedding layout: config.json, model.safetensors ({@code {"format":"pt"}},
   * un-prefixed names, float32), colbert_linear.pt, sparse_linear.pt and the tokenizer files. Everything is written to
   * a temporary folder next to {@code folder} and then renamed into place, so no half-written folder is left. An
   * existing {@code folder} is replaced only when it holds nothing but files of a saved model.
   */
  public void save(Path folder) throws IOException {
    Path target = folder.toAbsolutePath().normalize();
    Path parent = target.getParent();
    Files.createDirectories(parent);
    lock.readLock().lock();
    Path tmp = AtomicFiles.tempSiblingFolder(target, "saving");
    try {
      ensureOpen();
      config.write(tmp.resolve("config.json"));
      SafetensorsWriter.write(tmp.resolve(Checkpoint.SAFETENSORS), backboneTensors(), Map.of("format", "pt"));
      TorchZipWriter.write(tmp.resolve(Checkpoint.COLBERT_FILE), head("colbert_linear"));
      TorchZipWriter.write(tmp.resolve(Checkpoint.SPARSE_FILE), head("sparse_linear"));
      for (Map.Entry<String, byte[]> e : tokenizerFiles.entrySet()) {
        Files.write(tmp.resolve(e.getKey()), e.getValue());
      }
      SaveFolders.replace(tmp, target);
    } catch (IOException | RuntimeException e) {
      SaveFolders.deleteRecursively(tmp);
      throw e;
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * SHA-256 (hex) over config.json, every parameter (name, shape, float32 bytes, in name order; heads included) and the
   * unknown tensors. Computed once, on first call.
   */
  public String fingerprint() {
    String f = fingerprint;
    if (f == null) {
      synchronized (this) {
        f = fingerprint;
        if (f == null) {
          f = computeFingerprint();
          fingerprint = f;
        }
      }
    }
    return f;
  }

  private String computeFingerprint() {
    lock.readLock().lock();
    try {
      ensureOpen();
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(config.toJson().getBytes(StandardCharsets.UTF_8));
      Map<String, HostTensor> all = new TreeMap<>();
      for (Map.Entry<String, NDArray> e : params.entrySet()) {
        all.put(e.getKey(), toHost(e.getValue()));
      }
      all.putAll(extras);
      for (Map.Entry<String, HostTensor> e : all.entrySet()) {
        HostTensor t = e.getValue();
        md.update(e.getKey().getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
        md.update((t.dtype() + Arrays.toString(t.shape())).getBytes(StandardCharsets.UTF_8));
        md.update(t.bytes());
      }
      StringBuilder sb = new StringBuilder();
      for (byte x : md.digest()) {
        sb.append(String.format("%02x", x));
      }
      return sb.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      if (!closed) {
        closed = true;
        manager.close();
        tokenizer.close();
      }
    } finally {
      lock.writeLock().unlock();
    }
  }
}
