package io.m3spark.weights;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code data.pkl} that {@code torch.save(state_dict)} writes for a plain dict of contiguous tensors, opcode
 * for opcode as Python's protocol-2 pickler emits it: every new string, global, non-empty tuple, dict and REDUCE
 * result is memoised in order, and objects Python reuses (the {@code 'storage'} and {@code 'cpu'} strings, the
 * storage class, {@code _rebuild_tensor_v2}, {@code OrderedDict}) are fetched back from the memo.
 */
final class TorchPickleWriter {
  /** Python's pickler writes dict items in SETITEMS batches of this many. */
  private static final int BATCH = 1000;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  /** Memo slots of the objects Python would pickle by identity, keyed by what they are. */
  private final Map<String, Integer> shared = new HashMap<>();
  private int memoSize;

  private TorchPickleWriter() {}

  /** The pickle for {@code tensors}, whose storages are named "0", "1", … in order. */
  static byte[] stateDict(Map<String, HostTensor> tensors) {
    TorchPickleWriter w = new TorchPickleWriter();
    w.op(0x80, 2).op('}').memoize();
    List<Map.Entry<String, HostTensor>> items = List.copyOf(tensors.entrySet());
    for (int start = 0; start < items.size(); start += BATCH) {
      List<Map.Entry<String, HostTensor>> batch = items.subList(start, Math.min(items.size(), start + BATCH));
      if (batch.size() > 1) {
        w.op('(');
      }
      for (int i = 0; i < batch.size(); i++) {
        w.string(batch.get(i).getKey());
        w.tensor(batch.get(i).getValue(), Integer.toString(start + i));
      }
      w.op(batch.size() > 1 ? 'u' : 's');
    }
    return w.op('.').out.toByteArray();
  }

  /** {@code _rebuild_tensor_v2(storage, 0, size, stride, False, OrderedDict())}, then REDUCE. */
  private void tensor(HostTensor t, String key) {
    sharedGlobal("torch._utils", "_rebuild_tensor_v2");
    op('(');
    op('(');
    sharedString("storage");
    sharedGlobal("torch", TorchStorageTypes.nameOf(t.dtype()));
    string(key);
    sharedString("cpu");
    integer(t.numel());
    op('t').memoize();
    op('Q');
    integer(0);
    long[] shape = t.shape();
    long[] stride = new long[shape.length];
    long s = 1;
    for (int d = shape.length - 1; d >= 0; d--) {
      stride[d] = s;
      s *= Math.max(shape[d], 1); // PyTorch's contiguous strides treat empty dimensions as size 1
    }
    tuple(shape);
    tuple(stride);
    op(0x89); // requires_grad False
    sharedGlobal("collections", "OrderedDict");
    op(')', 'R').memoize(); // backward hooks: an empty OrderedDict
    op('t').memoize();
    op('R').memoize();
  }

  private void tuple(long[] values) {
    if (values.length == 0) {
      op(')'); // Python never memoises the empty tuple
      return;
    }
    if (values.length > 3) {
      op('(');
    }
    for (long v : values) {
      integer(v);
    }
    op(values.length > 3 ? 't' : 0x84 + values.length).memoize(); // TUPLE1..3 are 0x85..0x87
  }

  private void integer(long v) {
    if (v >= 0 && v <= 0xff) {
      op('K', (int) v);
    } else if (v >= 0 && v <= 0xffff) {
      op('M', (int) v, (int) (v >>> 8));
    } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
      op('J').le((int) v);
    } else {
      // LONG1: the shortest two's complement little-endian bytes
      byte[] b = BigInteger.valueOf(v).toByteArray();
      op(0x8a, b.length);
      for (int i = b.length - 1; i >= 0; i--) {
        out.write(b[i]);
      }
    }
  }

  private void string(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    op('X').le(b.length);
    out.writeBytes(b);
    memoize();
  }

  private void sharedString(String s) {
    if (!fetch("str:" + s)) {
      string(s);
      shared.put("str:" + s, memoSize - 1);
    }
  }

  private void sharedGlobal(String module, String name) {
    String id = "global:" + module + "." + name;
    if (!fetch(id)) {
      op('c');
      out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
      memoize();
      shared.put(id, memoSize - 1);
    }
  }

  /** BINGET of an object already pickled, if it was. */
  private boolean fetch(String id) {
    Integer slot = shared.get(id);
    if (slot == null) {
      return false;
    }
    if (slot < 256) {
      op('h', slot);
    } else {
      op('j').le(slot);
    }
    return true;
  }

  private void memoize() {
    if (memoSize < 256) {
      op('q', memoSize);
    } else {
      op('r').le(memoSize);
    }
    memoSize++;
  }

  private TorchPickleWriter op(int... bytes) {
    for (int b : bytes) {
      out.write(b);
    }
    return this;
  }

  private void le(int v) {
    op(v, v >>> 8, v >>> 16, v >>> 24);
  }
}
