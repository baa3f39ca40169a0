package io.m3spark.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TorchPickleReaderTest {
  @TempDir Path tmp;

  @Test
  void pytorchModelBinEqualsSafetensorsBitForBit() throws IOException {
    Map<String, HostTensor> bin = TorchPickleReader.read(Fixture.file("pytorch_model.bin"));
    SafetensorsFile st = SafetensorsFile.open(Fixture.file("model.safetensors"));
    assertEquals(st.names().size(), bin.size());
    for (String name : st.names()) {
      HostTensor expected = st.get(name);
      HostTensor actual = bin.get(name);
      assertEquals(expected.dtype(), actual.dtype(), name);
      assertArrayEquals(expected.shape(), actual.shape(), name);
      assertArrayEquals(Fixture.bytes(expected), Fixture.bytes(actual), name);
    }
    assertEquals("embeddings.word_embeddings.weight", bin.keySet().iterator().next());
  }

  @Test
  void headsHaveTheirShapesAndValues() throws IOException {
    Map<String, HostTensor> colbert = TorchPickleReader.read(Fixture.file("colbert_linear.pt"));
    assertEquals(List.of("weight", "bias"), List.copyOf(colbert.keySet()));
    assertArrayEquals(new long[] {32, 32}, colbert.get("weight").shape());
    assertArrayEquals(new long[] {32}, colbert.get("bias").shape());
    float[] w = colbert.get("weight").toFloats();
    // values read with python's zipfile + struct from colbert_linear/data/0 and data/1
    assertEquals(-0.07882871478796005f, w[0]);
    assertEquals(0.11835794895887375f, w[1]);
    assertEquals(0.16236525774002075f, w[1023]);
    float[] b = colbert.get("bias").toFloats();
    assertEquals(-0.058256518095731735f, b[0]);
    assertEquals(0.1241183876991272f, b[31]);

    Map<String, HostTensor> sparse = TorchPickleReader.read(Fixture.file("sparse_linear.pt"));
    assertArrayEquals(new long[] {1, 32}, sparse.get("weight").shape());
    assertArrayEquals(new long[] {1}, sparse.get("bias").shape());
    assertEquals(-0.23851345479488373f, sparse.get("weight").toFloats()[0]);
    assertEquals(-0.08887750655412674f, sparse.get("weight").toFloats()[31]);
    assertEquals(1.2000000476837158f, sparse.get("bias").toFloats()[0]);
  }

  @Test
  void transposedViewsAndOffsetsShareOneStorage() throws IOException {
    // storage 0..5 as float; "m" is the 2x3 matrix, "t" its transpose (stride 1,3), "tail" a view at offset 4
    byte[] pickle = new PickleBuilder().op(0x80, 2, '}', '(')
        .str("m").tensor("FloatStorage", "0", 6, 0, new int[] {2, 3}, new int[] {3, 1})
        .str("t").tensor("FloatStorage", "0", 6, 0, new int[] {3, 2}, new int[] {1, 3})
        .str("tail").tensor("FloatStorage", "0", 6, 4, new int[] {2}, new int[] {1})
        .str("col").tensor("FloatStorage", "0", 6, 1, new int[] {2}, new int[] {3})
        .op('u', '.').bytes();
    Path f = PickleBuilder.torchZip(tmp.resolve("views.pt"), "archive", pickle, Map.of("0", floats(0, 1, 2, 3, 4, 5)));
    Map<String, HostTensor> sd = TorchPickleReader.read(f);
    assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, sd.get("m").toFloats());
    assertArrayEquals(new long[] {3, 2}, sd.get("t").shape());
    assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, sd.get("t").toFloats());
    assertArrayEquals(new float[] {4, 5}, sd.get("tail").toFloats());
    assertArrayEquals(new float[] {1, 4}, sd.get("col").toFloats());
  }

  @Test
  void parametersAndPlainTensorTypesAreUnwrapped() throws IOException {
    byte[] pickle = new PickleBuilder().op(0x80, 2, '}', '(')
        // _rebuild_parameter(tensor, True, OrderedDict())
        .str("p").global("torch._utils", "_rebuild_parameter").op('(')
        .tensor("FloatStorage", "0", 2, 0, new int[] {2}, new int[] {1})
        .op(0x88).global("collections", "OrderedDict").op(')', 'R', 't', 'R')
        // _rebuild_from_type_v2(_rebuild_tensor_v2, torch.Tensor, (args...), {})
        .str("q").global("torch._tensor", "_rebuild_from_type_v2").op('(')
        .global("torch._utils", "_rebuild_tensor_v2").global("torch._tensor", "Tensor").op('(')
        .op('(').str("storage").global("torch", "FloatStorage").str("0").str("cpu").integer(2).op('t', 'Q')
        .integer(1).integer(1).op(0x85).integer(1).op(0x85, 0x89).global("collections", "OrderedDict").op(')', 'R', 't')
        .op('}', 't', 'R')
        .op('u', '.').bytes();
    Path f = PickleBuilder.torchZip(tmp.resolve("param.pt"), "param", pickle, Map.of("0", floats(7, 8)));
    Map<String, HostTensor> sd = TorchPickleReader.read(f);
    assertArrayEquals(new float[] {7, 8}, sd.get("p").toFloats());
    assertArrayEquals(new float[] {8}, sd.get("q").toFloats());
  }

  @Test
  void refusesTensorSubclassesAndOverlappingViewsThatWouldExhaustMemory() {
    byte[] subclass = new PickleBuilder().op(0x80, 2, '}', '(')
        .str("q").global("torch._tensor", "_rebuild_from_type_v2").op('(')
        .global("torch._utils", "_rebuild_tensor_v2").global("torch._tensor", "Tensor").op('(')
        .op('(').str("storage").global("torch", "FloatStorage").str("0").str("cpu").integer(1).op('t', 'Q')
        .integer(0).integer(1).op(0x85).integer(1).op(0x85, 0x89).global("collections", "OrderedDict").op(')', 'R', 't')
        .op('}').str("attr").op('K', 1, 's', 't', 'R')
        .op('u', '.').bytes();
    assertRefused(subclass, "tensor subclass");
    // stride 0 over a huge size: 1 element of storage expanded to 100M elements
    byte[] expanded = new PickleBuilder().op(0x80, 2, '}', '(').str("w")
        .tensor("FloatStorage", "0", 1, 0, new int[] {100_000_000}, new int[] {0}).op('u', '.').bytes();
    assertRefused(expanded, "strided views would copy");
  }

  @Test
  void wrappedStateDictIsUnwrapped() throws IOException {
    byte[] pickle = new PickleBuilder().op(0x80, 2, '}', '(')
        .str("epoch").op('K', 3)
        .str("state_dict").op('}', '(')
        .str("w").tensor("HalfStorage", "0", 1, 0, new int[] {1}, new int[] {1})
        .op('u', 'u', '.').bytes();
    Path f = PickleBuilder.torchZip(tmp.resolve("wrapped.pt"), "x", pickle, Map.of("0", new byte[] {0, 0x3c}));
    Map<String, HostTensor> sd = TorchPickleReader.read(f);
    assertEquals(List.of("w"), List.copyOf(sd.keySet()));
    assertEquals(DType.F16, sd.get("w").dtype());
    assertArrayEquals(new float[] {1f}, sd.get("w").toFloats());
  }

  @Test
  void refusesOsSystemBeforeCallingAnything() {
    byte[] pickle = new PickleBuilder().op(0x80, 2).global("os", "system").str("touch pwned").op(0x85, 'R', '.').bytes();
    assertRefused(pickle, "os.system");
  }

  @Test
  void refusesStackGlobalVariants() {
    for (String[] g : new String[][] {{"builtins", "eval"}, {"posix", "system"}, {"subprocess", "Popen"},
        {"__builtin__", "getattr"}, {"torch._utils", "_rebuild_tensor"}, {"torch", "load"}}) {
      byte[] pickle = new PickleBuilder().op(0x80, 4).str(g[0]).str(g[1]).op(0x93).str("x").op(0x85, 'R', '.').bytes();
      assertRefused(pickle, g[0] + "." + g[1]);
    }
  }

  @Test
  void refusesReduceStylePayloadHiddenInsideAStateDict() {
    // what a class with __reduce__ returning (os.system, ('id',)) pickles to, as a value of a state dict
    byte[] pickle = new PickleBuilder().op(0x80, 2, '}', '(').str("w")
        .global("posix", "system").op('q', 1).str("id").op(0x85, 'R', 'u', '.').bytes();
    assertRefused(pickle, "posix.system");
  }

  @Test
  void refusesCallingAnAllowedNonFunction() {
    byte[] pickle = new PickleBuilder().op(0x80, 2).global("torch", "FloatStorage").op(')', 'R', '.').bytes();
    assertRefused(pickle, "cannot be called");
  }

  @Test
  void refusesUnknownOpcodes() {
    assertRefused(new PickleBuilder().op(0x80, 2, 'i').bytes(), "opcode 0x69"); // INST
    assertRefused(new PickleBuilder().op(0x80, 2, 'o').bytes(), "opcode 0x6f"); // OBJ
    assertRefused(new PickleBuilder().op(0x80, 2, 0x81).bytes(), "opcode 0x81"); // NEWOBJ
  }

  @Test
  void refusesTruncatedPickle() throws IOException {
    byte[] full = new PickleBuilder().op(0x80, 2, '}', '(').str("w")
        .tensor("FloatStorage", "0", 1, 0, new int[] {1}, new int[] {1}).op('u', '.').bytes();
    assertRefused(Arrays.copyOf(full, full.length - 1), "truncated");
    assertRefused(Arrays.copyOf(full, 9), "truncated");
  }

  @Test
  void refusesMissingStorageAndOutOfBoundsViews() {
    byte[] missing = new PickleBuilder().op(0x80, 2, '}', '(').str("w")
        .tensor("FloatStorage", "7", 1, 0, new int[] {1}, new int[] {1}).op('u', '.').bytes();
    assertRefused(missing, "storage 7 is missing");
    byte[] beyond = new PickleBuilder().op(0x80, 2, '}', '(').str("w")
        .tensor("FloatStorage", "0", 1, 1, new int[] {1}, new int[] {1}).op('u', '.').bytes();
    assertRefused(beyond, "reaches beyond storage 0");
    byte[] strided = new PickleBuilder().op(0x80, 2, '}', '(').str("w")
        .tensor("FloatStorage", "0", 1, 0, new int[] {2}, new int[] {1}).op('u', '.').bytes();
    assertRefused(strided, "reaches beyond storage 0");
    byte[] wrongNumel = new PickleBuilder().op(0x80, 2, '}', '(').str("w")
        .tensor("FloatStorage", "0", 2, 0, new int[] {1}, new int[] {1}).op('u', '.').bytes();
    assertRefused(wrongNumel, "should hold 2 F32 elements");
  }

  @Test
  void refusesLegacyFormatWithAdvice() throws IOException {
    Path f = tmp.resolve("legacy.bin");
    Files.write(f, new byte[] {(byte) 0x80, 2, (byte) 0x8a, 10, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46});
    WeightsFormatException e = assertThrows(WeightsFormatException.class, () -> TorchPickleReader.read(f));
    assertTrue(e.getMessage().contains("legacy") && e.getMessage().contains("torch.save"), e.getMessage());
  }

  private void assertRefused(byte[] pickle, String expected) {
    Path f = tmp.resolve("bad-" + System.nanoTime() + ".pt");
    WeightsFormatException e = assertThrows(WeightsFormatException.class,
        () -> TorchPickleReader.read(PickleBuilder.torchZip(f, "bad", pickle, Map.of("0", floats(1)))));
    assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  static byte[] floats(float... v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v);
    return b.array();
  }
}
