package io.m3spark.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pickles written to hang the reader, exhaust its memory or overflow its stack: each is a few hundred bytes and must
 * be refused, naming the file, within seconds.
 */
class HostilePickleTest {
  private static final Duration QUICKLY = Duration.ofSeconds(10);

  @TempDir Path tmp;

  /** {@code t0 = (0,)}, {@code t(i+1) = (ti, ti)} memoised: 2^levels leaves in a few bytes per level. */
  private static PickleBuilder sharedTuple(PickleBuilder b, int levels) {
    b.op('K', 0, 0x85, 'q', 0);
    for (int i = 0; i < levels; i++) {
      b.op('h', i, 0x86, 'q', i + 1); // ti is still on the stack: pairs it with itself
    }
    return b;
  }

  @Test
  void deepSharedTupleAsADictKeyIsRefusedWithoutHashingIt() {
    // a colbert_linear.pt whose state dict has one more key: a 90-level shared tuple (hashing it takes 2^90 steps)
    PickleBuilder deep = new PickleBuilder().op(0x80, 2, '}', '(')
        .str("weight").tensor("FloatStorage", "0", 1, 0, new int[] {1}, new int[] {1});
    byte[] pickle = sharedTuple(deep, 90).op('K', 1, 'u', '.').bytes();
    assertTrue(pickle.length < 1000, "a small file: " + pickle.length);
    assertRefused(pickle, "nested more than " + SafePickle.MAX_DEPTH);

    PickleBuilder shallow = new PickleBuilder().op(0x80, 2, '}');
    assertRefused(sharedTuple(shallow, 3).op('K', 1, 's', '.').bytes(), "dict key is a tuple of 2 item(s)");
  }

  @Test
  void persistentIdThatIsASharedTupleIsDescribedNotPrinted() {
    // 30 levels: printing it would write 2^30 leaves
    byte[] pickle = sharedTuple(new PickleBuilder().op(0x80, 2), 30).op('Q', '.').bytes();
    assertRefused(pickle, "unexpected persistent id (a tuple of 2 item(s))");
  }

  @Test
  void listsThatContainThemselvesAreRefused() {
    // L = [L] via the memo, then used as a dict key: hashing it would recurse forever
    byte[] self = new PickleBuilder().op(0x80, 2, '}', ']', 0x94, '(', 'h', 0, 'e', 'K', 1, 's', '.').bytes();
    assertRefused(self, "a list of 0 item(s) would contain itself");
    // L1 = [], L2 = [L1], then L1.append(L2): a cycle of two
    byte[] cycle = new PickleBuilder().op(0x80, 2, ']', 'q', 0, ']', 'q', 1, 'h', 0, 'a', 'h', 0, 'h', 1, 'a', '.')
        .bytes();
    assertRefused(cycle, "changed after being placed inside another value");
  }

  @Test
  void manyValuesAreRefusedEvenWhereTheyWouldBeIgnored() {
    // {"state_dict": {}, "junk": [""] * (MAX_VALUES + 1)}: the wrapper's other entries are otherwise ignored
    PickleBuilder b = new PickleBuilder().op(0x80, 2, '}', '(').str("state_dict").op('}').str("junk").op(']', '(')
        .str("").op('q', 0);
    for (int i = 0; i < SafePickle.MAX_VALUES; i++) {
      b.op('h', 0);
    }
    assertRefused(b.op('e', 'u', '.').bytes(), "more than " + SafePickle.MAX_VALUES + " values");
  }

  @Test
  void storageWhoseSizeWrapsAroundIsRefused() {
    // numel 2^62 floats in a 0-byte entry: 2^62 × 4 wraps to 0 in long arithmetic
    long numel = 1L << 62;
    byte[] pickle = new PickleBuilder().op(0x80, 2, '}', '(').str("w")
        .global("torch._utils", "_rebuild_tensor_v2").op('(')
        .op('(').str("storage").global("torch", "FloatStorage").str("0").str("cpu").longInt(numel).op('t', 'Q')
        .integer(0).longInt(numel).op(0x85).integer(1).op(0x85, 0x89)
        .global("collections", "OrderedDict").op(')', 'R', 't', 'R')
        .op('u', '.').bytes();
    assertRefused(pickle, Map.of("0", new byte[0]), "should hold " + numel + " F32 elements but its entry is 0 bytes");
  }

  @Test
  void manyNamesViewingOneStorageAreRefused() {
    // 300 names for one 64 KiB storage: a reader copying each view would need 300 times the file
    int numel = 16_384;
    PickleBuilder b = new PickleBuilder().op(0x80, 2, '}', '(');
    for (int i = 0; i < 300; i++) {
      b.str("encoder.layer." + i + ".w").tensor("FloatStorage", "0", numel, 0, new int[] {numel}, new int[] {1});
    }
    assertRefused(b.op('u', '.').bytes(), Map.of("0", new byte[numel * 4]), "many names viewing the same storage");
  }

  @Test
  void aTiedWeightStillLoads() throws IOException {
    byte[] pickle = new PickleBuilder().op(0x80, 2, '}', '(')
        .str("embeddings.word_embeddings.weight").tensor("FloatStorage", "0", 2, 0, new int[] {2}, new int[] {1})
        .str("lm_head.decoder.weight").tensor("FloatStorage", "0", 2, 0, new int[] {2}, new int[] {1})
        .op('u', '.').bytes();
    Path f = PickleBuilder.torchZip(tmp.resolve("tied.pt"), "tied", pickle,
        Map.of("0", TorchPickleReaderTest.floats(3, 4)));
    Map<String, HostTensor> sd = TorchPickleReader.read(f);
    assertArrayEquals(new float[] {3, 4}, sd.get("lm_head.decoder.weight").toFloats());
  }

  private void assertRefused(byte[] pickle, String expected) {
    assertRefused(pickle, Map.of("0", TorchPickleReaderTest.floats(1)), expected);
  }

  private void assertRefused(byte[] pickle, Map<String, byte[]> storages, String expected) {
    Path f = tmp.resolve("colbert_linear-" + System.nanoTime() + ".pt");
    WeightsFormatException e = assertTimeoutPreemptively(QUICKLY, () -> assertThrows(WeightsFormatException.class,
        () -> TorchPickleReader.read(PickleBuilder.torchZip(f, "colbert_linear", pickle, storages))));
    assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
