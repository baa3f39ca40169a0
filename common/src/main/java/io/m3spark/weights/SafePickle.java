package io.m3spark.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A pickle interpreter that can only build data. It knows the opcodes that PyTorch's pickler emits (protocol 2,
 * plus FRAME, MEMOIZE and STACK_GLOBAL from protocol 4) and refuses every other one. A global is accepted only if
 * its qualified name is in the caller's allow-list; it then becomes an inert {@link Global} value, and the only
 * way it is ever "called" (REDUCE) or "built" (BUILD) is through the caller's {@link Host}, which implements
 * the few functions a state dict needs in plain Java. Nothing named by a pickle is ever looked up or invoked.
 *
 * <p>Values: str → String, int → Long, float → Double, bool → Boolean, None → null, tuple → {@link Tuple},
 * list → ArrayList, dict → LinkedHashMap.
 *
 * <p>Limits, so that a small hostile file cannot hang the reader or exhaust memory: dict keys must be strings or
 * integers (a state dict's are strings; hashing a deep shared tuple would take exponential time); values nest at most
 * {@value #MAX_DEPTH} levels deep; at most {@value #MAX_VALUES} values are pushed and memoised in all; a list or dict
 * cannot be changed once it is inside another value, and never contains itself, so no structure is cyclic. No value
 * from the file is ever printed: messages describe values by type and size ({@link #describe}). Any other
 * inconsistency becomes a {@link WeightsFormatException} naming the file and the byte where it was found.
 */
final class SafePickle {
  /** A module-level name the pickle referred to, e.g. {@code torch._utils._rebuild_tensor_v2}. */
  record Global(String module, String name) {
    String qualified() {
      return module + "." + name;
    }
  }

  /**
   * A Python tuple (kept apart from lists because the rebuild functions check argument shapes). Equality is identity
   * and {@link #toString} names only the size: a tuple from a file may share sub-tuples exponentially.
   */
  static final class Tuple {
    private final List<Object> items;

    Tuple(List<Object> items) {
      this.items = Collections.unmodifiableList(new ArrayList<>(items)); // may hold None, so not List.copyOf
    }

    List<Object> items() {
      return items;
    }

    @Override
    public String toString() {
      return describe(this);
    }
  }

  /** What the pickle may do beyond building plain data: the caller decides, in Java. */
  interface Host {
    Object persistentLoad(Object pid) throws IOException;

    Object call(Global function, Tuple args) throws IOException;

    void build(Object target, Object state) throws IOException;
  }

  /** How deep values may nest: a state dict needs about 6 levels, a wrapped training checkpoint about 10. */
  static final int MAX_DEPTH = 32;
  /** Values pushed plus memo entries; a state dict of 1,000 tensors needs about 30,000. */
  static final int MAX_VALUES = 4_000_000;

  private static final Object MARK = new Object();

  private final Path file;
  private final ByteBuffer in;
  private final Set<String> allowedGlobals;
  private final Host host;
  private final List<Object> stack = new ArrayList<>();
  private final List<Integer> marks = new ArrayList<>();
  private final Map<Long, Object> memo = new HashMap<>();
  /** Nesting depth of each container built (tuple, list, dict); scalars and host values are depth 0. */
  private final Map<Object, Integer> depth = new IdentityHashMap<>();
  /** Lists and dicts already placed inside another value: they may no longer change (so no cycle can form). */
  private final Set<Object> nested = Collections.newSetFromMap(new IdentityHashMap<>());
  private long values;

  private SafePickle(Path file, byte[] pickle, Set<String> allowedGlobals, Host host) {
    this.file = file;
    this.in = ByteBuffer.wrap(pickle).order(ByteOrder.LITTLE_ENDIAN);
    this.allowedGlobals = allowedGlobals;
    this.host = host;
  }

  /** Runs {@code pickle} to its STOP and returns the object it built. {@code file} is only used in messages. */
  static Object load(Path file, byte[] pickle, Set<String> allowedGlobals, Host host) throws IOException {
    return new SafePickle(file, pickle, allowedGlobals, host).run();
  }

  private Object run() throws IOException {
    int pos = 0;
    try {
      while (true) {
        pos = in.position();
        int op = u8();
        switch (op) {
          case 0x80 -> u8(); // PROTO: any version; unknown opcodes are refused one by one
          case 0x95 -> in.getLong(); // FRAME: only a read-ahead hint
          case '}' -> push(container(new LinkedHashMap<>(), List.of()));
          case ']' -> push(container(new ArrayList<>(), List.of()));
          case ')' -> push(tuple(List.of()));
          case '(' -> {
            marks.add(stack.size());
            push(MARK);
          }
          case 'q' -> memoize(u8());
          case 'r' -> memoize(u32());
          case 0x94 -> memoize(memo.size());
          case 'h' -> push(memoGet(u8()));
          case 'j' -> push(memoGet(u32()));
          case 'X' -> push(utf8(u32()));
          case 0x8c -> push(utf8(u8()));
          case 'J' -> push((long) in.getInt());
          case 'K' -> push((long) u8());
          case 'M' -> push((long) (in.getShort() & 0xffff));
          case 0x8a -> push(long1(u8()));
          case 'G' -> push(Double.longBitsToDouble(Long.reverseBytes(in.getLong()))); // big-endian
          case 0x88 -> push(Boolean.TRUE);
          case 0x89 -> push(Boolean.FALSE);
          case 'N' -> push(null);
          case 't' -> push(tuple(popToMark()));
          case 0x85 -> push(tuple(popN(1)));
          case 0x86 -> push(tuple(popN(2)));
          case 0x87 -> push(tuple(popN(3)));
          case 'c' -> push(global(line(), line()));
          case 0x93 -> {
            List<Object> names = popN(2);
            if (!(names.get(0) instanceof String m) || !(names.get(1) instanceof String n)) {
              throw error("STACK_GLOBAL needs two strings, got " + describe(names.get(0)) + " and "
                  + describe(names.get(1)));
            }
            push(global(m, n));
          }
          case 'R' -> reduce();
          case 'b' -> {
            Object state = pop();
            host.build(peek(), state);
          }
          case 's' -> {
            List<Object> kv = popN(2);
            Map<Object, Object> d = dict(peek());
            requireKey(kv.get(0));
            insert(d, kv);
            d.put(kv.get(0), kv.get(1));
          }
          case 'u' -> {
            List<Object> items = popToMark();
            if (items.size() % 2 != 0) {
              throw error("SETITEMS with an odd number of items");
            }
            Map<Object, Object> d = dict(peek());
            for (int i = 0; i < items.size(); i += 2) {
              requireKey(items.get(i));
            }
            insert(d, items);
            for (int i = 0; i < items.size(); i += 2) {
              d.put(items.get(i), items.get(i + 1));
            }
          }
          case 'a' -> {
            Object v = pop();
            List<Object> l = list(peek());
            insert(l, Collections.singletonList(v));
            l.add(v);
          }
          case 'e' -> {
            List<Object> items = popToMark();
            List<Object> l = list(peek());
            insert(l, items);
            l.addAll(items);
          }
          case 'Q' -> push(host.persistentLoad(pop()));
          case '.' -> {
            if (stack.size() != 1 || !marks.isEmpty()) {
              throw error("STOP with " + stack.size() + " values on the stack");
            }
            return pop();
          }
          default -> throw error(String.format("unsupported pickle opcode 0x%02x at byte %d", op, pos));
        }
      }
    } catch (java.nio.BufferUnderflowException e) {
      throw error("pickle data ends before its STOP opcode (truncated?)");
    } catch (RuntimeException e) {
      // A check this interpreter lacks must still end as a refusal of the file, not as a crash of the job.
      throw new WeightsFormatException(file, "malformed pickle at byte " + pos + " (" + e.getClass().getSimpleName()
          + ")", e);
    }
  }

  private Global global(String module, String name) throws WeightsFormatException {
    Global g = new Global(module, name);
    if (!allowedGlobals.contains(g.qualified())) {
      throw error("refused global '" + g.qualified() + "': only the tensor-rebuilding names a state dict needs are allowed");
    }
    return g;
  }

  private void reduce() throws IOException {
    Object args = pop();
    Object fn = pop();
    if (!(fn instanceof Global g)) {
      throw error("REDUCE on something that is not an allowed global: " + describe(fn));
    }
    if (!(args instanceof Tuple t)) {
      throw error("REDUCE of " + g.qualified() + " with arguments that are not a tuple");
    }
    Object result = host.call(g, t);
    if ((result instanceof Map<?, ?> || result instanceof List<?>) && !depth.containsKey(result)) {
      container(result, List.of()); // a new dict (OrderedDict()) is filled like one the pickle built itself
    }
    push(result);
  }

  private int u8() {
    return in.get() & 0xff;
  }

  private long u32() {
    return in.getInt() & 0xffffffffL;
  }

  private Object long1(int n) throws WeightsFormatException {
    if (n > 8) {
      throw error("integer of " + n + " bytes is too large");
    }
    long v = 0;
    for (int i = 0; i < n; i++) {
      v |= (long) u8() << (8 * i);
    }
    if (n > 0 && n < 8 && (v & (1L << (8 * n - 1))) != 0) {
      v -= 1L << (8 * n); // two's complement sign extension
    }
    return v;
  }

  private String utf8(long n) throws WeightsFormatException {
    if (n > in.remaining()) {
      throw error("string of " + n + " bytes runs past the end of the pickle (truncated?)");
    }
    byte[] b = new byte[(int) n];
    in.get(b);
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b)).toString();
    } catch (CharacterCodingException e) {
      throw error("string is not valid UTF-8");
    }
  }

  /** A newline-terminated ASCII argument (GLOBAL's module and name). */
  private String line() throws WeightsFormatException {
    StringBuilder sb = new StringBuilder();
    while (true) {
      int c = u8();
      if (c == '\n') {
        return sb.toString();
      }
      if (c < 0x20 || c > 0x7e || sb.length() > 256) {
        throw error("malformed GLOBAL name");
      }
      sb.append((char) c);
    }
  }

  private Object memoGet(long i) throws WeightsFormatException {
    if (!memo.containsKey(i)) {
      throw error("memo slot " + i + " read before it was written");
    }
    return memo.get(i);
  }

  private void push(Object o) throws WeightsFormatException {
    count();
    stack.add(o);
  }

  private void count() throws WeightsFormatException {
    if (++values > MAX_VALUES) {
      throw error("more than " + MAX_VALUES + " values; a state dict has far fewer");
    }
  }

  private void memoize(long slot) throws WeightsFormatException {
    count();
    memo.put(slot, peek());
  }

  /** A new tuple of {@code items}, which from now on are nested (their contents are final). */
  private Tuple tuple(List<Object> items) throws WeightsFormatException {
    return container(new Tuple(items), items);
  }

  private <T> T container(T c, List<Object> items) throws WeightsFormatException {
    depth.put(c, 0);
    insert(c, items);
    return c;
  }

  /**
   * Records that {@code items} go into {@code target}: the target must not be nested yet (a list or dict may only be
   * filled while it is being built, as a pickler writes it), must not receive itself, and must stay within
   * {@link #MAX_DEPTH}. Together these rule out cycles without ever walking a structure.
   */
  private void insert(Object target, List<Object> items) throws WeightsFormatException {
    if (nested.contains(target)) {
      throw error(describe(target) + " is changed after being placed inside another value; refusing (a pickler "
          + "never does this, and it could make a structure contain itself)");
    }
    int d = depth.get(target);
    for (Object item : items) {
      if (item == target) {
        throw error(describe(target) + " would contain itself");
      }
      Integer inner = depth.get(item);
      if (inner != null) {
        d = Math.max(d, inner + 1);
        if (!(item instanceof Tuple)) {
          nested.add(item);
        }
      }
    }
    if (d > MAX_DEPTH) {
      throw error("values nested more than " + MAX_DEPTH + " levels deep; a state dict is far shallower");
    }
    depth.put(target, Math.max(d, 1));
  }

  /** Dict keys are strings or integers: anything else would have to be hashed, which may never finish. */
  private void requireKey(Object k) throws WeightsFormatException {
    if (!(k instanceof String) && !(k instanceof Long)) {
      throw error("dict key is " + describe(k) + "; only string and integer keys are accepted");
    }
  }

  private Object peek() throws WeightsFormatException {
    if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) {
      throw error("stack underflow");
    }
    return stack.get(stack.size() - 1);
  }

  private Object pop() throws WeightsFormatException {
    Object o = peek();
    stack.remove(stack.size() - 1);
    return o;
  }

  private List<Object> popN(int n) throws WeightsFormatException {
    int base = marks.isEmpty() ? 0 : marks.get(marks.size() - 1) + 1;
    if (stack.size() - base < n) {
      throw error("stack underflow");
    }
    List<Object> sub = stack.subList(stack.size() - n, stack.size());
    List<Object> out = new ArrayList<>(sub);
    sub.clear();
    return out;
  }

  private List<Object> popToMark() throws WeightsFormatException {
    if (marks.isEmpty()) {
      throw error("no MARK on the stack");
    }
    int m = marks.remove(marks.size() - 1);
    List<Object> sub = stack.subList(m, stack.size());
    List<Object> out = new ArrayList<>(sub.subList(1, sub.size()));
    sub.clear();
    return out;
  }

  @SuppressWarnings("unchecked")
  private Map<Object, Object> dict(Object o) throws WeightsFormatException {
    if (o instanceof Map<?, ?> m) {
      return (Map<Object, Object>) m;
    }
    throw error("SETITEM(S) on " + describe(o) + ", which is not a dict");
  }

  @SuppressWarnings("unchecked")
  private List<Object> list(Object o) throws WeightsFormatException {
    if (o instanceof ArrayList<?> l) {
      return (List<Object>) l;
    }
    throw error("APPEND(S) on " + describe(o) + ", which is not a list");
  }

  /** What a value is, by type and size, never by content: a file's values may be huge or deeply shared. */
  static String describe(Object o) {
    if (o == null) {
      return "None";
    }
    if (o instanceof Tuple t) {
      return "a tuple of " + t.items().size() + " item(s)";
    }
    if (o instanceof List<?> l) {
      return "a list of " + l.size() + " item(s)";
    }
    if (o instanceof Map<?, ?> m) {
      return "a dict of " + m.size() + " item(s)";
    }
    if (o instanceof String s) {
      return "a string of " + s.length() + " character(s)";
    }
    return "a " + o.getClass().getSimpleName();
  }

  private WeightsFormatException error(String problem) {
    return new WeightsFormatException(file, problem);
  }
}
