package io.m3spark.weights;

import io.m3spark.weights.SafePickle.Global;
import io.m3spark.weights.SafePickle.Tuple;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Java side of a torch zip checkpoint's pickle: storages come from the archive's {@code data/<key>} entries,
 * and the allowed rebuild functions are implemented here, producing contiguous {@link HostTensor}s.
 *
 * <p>Views are bounded so that a small file cannot make its readers exhaust memory: strided views (which are copied)
 * may copy at most the file's size in all, and all views together may span at most {@value #MAX_VIEWS_PER_FILE_BYTE}
 * times the file's size (a weight tied to another is counted each time it is named, and callers may copy each one).
 */
final class TorchStateDictHost implements SafePickle.Host {
  static final String REBUILD_TENSOR = "torch._utils._rebuild_tensor_v2";
  static final String REBUILD_PARAMETER = "torch._utils._rebuild_parameter";
  static final String REBUILD_FROM_TYPE = "torch._tensor._rebuild_from_type_v2";
  static final String ORDERED_DICT = "collections.OrderedDict";
  /** Plain-tensor types, allowed only as the {@code new_type} argument of {@code _rebuild_from_type_v2}. */
  private static final Set<String> PLAIN_TENSOR_TYPES = Set.of("torch.Tensor", "torch._tensor.Tensor");

  static final Set<String> ALLOWED_GLOBALS;

  static {
    Set<String> s = new HashSet<>(List.of(REBUILD_TENSOR, REBUILD_PARAMETER, REBUILD_FROM_TYPE, ORDERED_DICT));
    s.addAll(PLAIN_TENSOR_TYPES);
    TorchStorageTypes.qualifiedNames().forEach(s::add);
    ALLOWED_GLOBALS = Set.copyOf(s);
  }

  /** Bytes all views may span, per byte of the file: room for every tensor to be tied once, no more. */
  static final int MAX_VIEWS_PER_FILE_BYTE = 2;

  /** A storage from the archive: raw little-endian bytes of {@code numel} elements of {@code dtype}. */
  private record Storage(String key, DType dtype, long numel, ByteBuffer bytes) {}

  private final Path file;
  private final ZipIndex zip;
  private final String prefix;
  private final Map<String, Storage> storages = new HashMap<>();
  /** Bytes copied for strided views so far; capped at the file's size so a small pickle cannot exhaust memory. */
  private long gathered;
  /** Bytes of every view so far, shared storages counted once per view. */
  private long viewed;

  TorchStateDictHost(Path file, ZipIndex zip, String prefix) {
    this.file = file;
    this.zip = zip;
    this.prefix = prefix;
  }

  /** {@code ('storage', torch.XStorage, key, location, numel)}: the storage is shared by every view naming key. */
  @Override
  public Object persistentLoad(Object pid) throws IOException {
    if (!(pid instanceof Tuple t) || t.items().size() != 5 || !"storage".equals(t.items().get(0))
        || !(t.items().get(1) instanceof Global type) || !(t.items().get(2) instanceof String key)
        || !(t.items().get(4) instanceof Long numel)) {
      throw error("unexpected persistent id (" + SafePickle.describe(pid)
          + "); expected ('storage', type, key, location, numel)");
    }
    DType dtype = type.module().equals("torch") ? TorchStorageTypes.dtypeOf(type.name()) : null;
    if (dtype == null) {
      throw error("persistent id names " + type.qualified() + ", which is not a typed storage");
    }
    Storage known = storages.get(key);
    if (known != null) {
      if (known.dtype != dtype || known.numel != numel) {
        throw error("storage " + key + " is referred to with two different types or sizes");
      }
      return known;
    }
    ZipIndex.Entry entry = zip.entries().get(prefix + "data/" + key);
    if (entry == null) {
      throw error("storage " + key + " is missing: no entry " + prefix + "data/" + key);
    }
    // numel ≤ size / element size first, so that numel × element size cannot wrap around
    if (numel < 0 || numel > entry.size() / dtype.byteSize() || entry.size() != numel * dtype.byteSize()) {
      throw error("storage " + key + " should hold " + numel + " " + dtype + " elements but its entry is "
          + entry.size() + " bytes");
    }
    Storage s = new Storage(key, dtype, numel, zip.map(entry));
    storages.put(key, s);
    return s;
  }

  @Override
  public Object call(Global function, Tuple args) throws IOException {
    List<Object> a = args.items();
    switch (function.qualified()) {
      case ORDERED_DICT -> {
        if (!a.isEmpty()) {
          throw error("OrderedDict called with arguments");
        }
        return new LinkedHashMap<Object, Object>();
      }
      case REBUILD_TENSOR -> {
        return rebuildTensor(a);
      }
      case REBUILD_PARAMETER -> {
        // (data, requires_grad, backward_hooks): a Parameter is its tensor for our purposes.
        if (a.size() != 3 || !(a.get(0) instanceof HostTensor t)) {
          throw error("_rebuild_parameter expects (tensor, requires_grad, hooks)");
        }
        requireNoHooks(a.get(2));
        return t;
      }
      case REBUILD_FROM_TYPE -> {
        // (func, new_type, args, state): accepted only as a plain tensor rebuilt by _rebuild_tensor_v2.
        if (a.size() != 4 || !(a.get(0) instanceof Global f) || !f.qualified().equals(REBUILD_TENSOR)
            || !(a.get(1) instanceof Global type) || !PLAIN_TENSOR_TYPES.contains(type.qualified())
            || !(a.get(2) instanceof Tuple inner)) {
          throw error("_rebuild_from_type_v2 is only accepted for a plain torch.Tensor rebuilt by _rebuild_tensor_v2");
        }
        if (a.get(3) != null && !(a.get(3) instanceof Map<?, ?> m && m.isEmpty())) {
          throw error("_rebuild_from_type_v2 with tensor attributes (a tensor subclass) is not supported");
        }
        return rebuildTensor(inner.items());
      }
      default -> throw error(function.qualified() + " cannot be called");
    }
  }

  /** BUILD sets Python attributes; the only one a state dict carries is OrderedDict's {@code _metadata}. */
  @Override
  public void build(Object target, Object state) throws IOException {
    if (!(target instanceof Map<?, ?>) || !(state instanceof Map<?, ?> attrs)
        || !attrs.keySet().stream().allMatch("_metadata"::equals)) {
      throw error("BUILD is only accepted to set _metadata on a dict");
    }
  }

  /** {@code (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])}. */
  private HostTensor rebuildTensor(List<Object> a) throws WeightsFormatException {
    if (a.size() < 6 || a.size() > 7 || !(a.get(0) instanceof Storage s) || !(a.get(1) instanceof Long offset)
        || !(a.get(2) instanceof Tuple size) || !(a.get(3) instanceof Tuple stride)) {
      throw error("_rebuild_tensor_v2 expects (storage, offset, size, stride, requires_grad, hooks), got "
          + a.size() + " argument(s) of other types");
    }
    requireNoHooks(a.get(5));
    long[] shape = longs(size, "size");
    long[] strides = longs(stride, "stride");
    if (shape.length != strides.length) {
      throw error("tensor on storage " + s.key + " has " + shape.length + " sizes but " + strides.length + " strides");
    }
    long bytes;
    try {
      bytes = HostTensor.byteSize(s.dtype, shape);
    } catch (ArithmeticException e) {
      throw error("tensor on storage " + s.key + " has a shape too large to address");
    }
    if (!StridedGather.isContiguous(shape, strides)) {
      gathered = saturatedAdd(gathered, bytes);
      if (gathered > zip.fileSize()) {
        throw error("strided views would copy " + gathered + " bytes, more than the file's " + zip.fileSize()
            + "; refusing (overlapping or repeated views)");
      }
    }
    viewed = saturatedAdd(viewed, bytes);
    long cap = saturatedMultiply(zip.fileSize(), MAX_VIEWS_PER_FILE_BYTE);
    if (viewed > cap) {
      throw error("its tensors view " + (viewed == Long.MAX_VALUE ? "more than 2^63" : Long.toString(viewed))
          + " bytes, over " + MAX_VIEWS_PER_FILE_BYTE + " times the file's " + zip.fileSize()
          + "; refusing (many names viewing the same storage)");
    }
    return StridedGather.gather(file, "storage " + s.key, s.dtype, s.bytes, s.numel, offset, shape, strides);
  }

  /** Sizes in bytes that do not fit a long are "more than anything", which every cap refuses. */
  private static long saturatedAdd(long a, long b) {
    try {
      return Math.addExact(a, b);
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  private static long saturatedMultiply(long a, long b) {
    try {
      return Math.multiplyExact(a, b);
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  private void requireNoHooks(Object hooks) throws WeightsFormatException {
    if (hooks != null && !(hooks instanceof Map<?, ?> m && m.isEmpty())) {
      throw error("tensor with backward hooks is not supported");
    }
  }

  private long[] longs(Tuple t, String what) throws WeightsFormatException {
    long[] out = new long[t.items().size()];
    for (int i = 0; i < out.length; i++) {
      if (!(t.items().get(i) instanceof Long v) || v < 0) {
        throw error("tensor " + what + " (" + SafePickle.describe(t) + ") is not a tuple of non-negative integers");
      }
      out[i] = v;
    }
    return out;
  }

  private WeightsFormatException error(String problem) {
    return new WeightsFormatException(file, problem);
  }
}
