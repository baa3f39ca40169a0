package io.m3spark.train.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.m3spark.io.OutputFolder;
import io.m3spark.model.M3Model;
import io.m3spark.train.AdamW;
import io.m3spark.train.AdamWState;
import io.m3spark.weights.DType;
import io.m3spark.weights.HostTensor;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** checkpoint write → read: model, AdamW, scheduler, RNG and trainer state all come back exactly. */
class CheckpointRoundTripTest {
  @TempDir
  Path out;

  static TrainingState state(long step) {
    SplittableRandom rnd = new SplittableRandom(step);
    Map<String, HostTensor> first = new TreeMap<>();
    Map<String, HostTensor> second = new TreeMap<>();
    first.put("colbert_linear.weight", randomTensor(rnd, DType.F32, 3, 4));
    second.put("colbert_linear.weight", randomTensor(rnd, DType.F32, 3, 4));
    // a half-precision moment must keep its type and bits too
    first.put("sparse_linear.bias", randomTensor(rnd, DType.F16, 1));
    second.put("sparse_linear.bias", randomTensor(rnd, DType.F16, 1));
    return new TrainingState(new AdamWState(step, first, second),
        new SchedulerState("linear", 1e-5, 3, 100, step),
        new RngState(Map.of("seed", 42L, "data_order", -0x1234_5678_9abc_def0L, "dropout", Long.MIN_VALUE)),
        new TrainerState(step, 1, 7, (int) step, 2, Map.of("unified_finetuning", "true", "learning_rate", "1e-5")));
  }

  private static HostTensor randomTensor(SplittableRandom rnd, DType type, long... shape) {
    byte[] b = new byte[(int) (HostTensor.numel(shape) * type.byteSize())];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) rnd.nextInt(256);
    }
    if (type == DType.F16) {
      // keep the half floats finite: clear the top exponent bit of each little-endian value
      for (int i = 1; i < b.length; i += 2) {
        b[i] &= (byte) 0xbf;
      }
    } else {
      for (int i = 3; i < b.length; i += 4) {
        b[i] &= (byte) 0xbf;
      }
    }
    return new HostTensor(type, shape, ByteBuffer.wrap(b));
  }

  @Test
  void roundTripIsExact() throws Exception {
    TrainingState saved = state(10);
    Path ckpt;
    try (M3Model model = TinyM3.load(TinyM3.folder())) {
      ckpt = Path.of(new CheckpointWriter(OutputFolder.local(out), 0).write(model, saved).location());
      assertEquals(out.toAbsolutePath().resolve("checkpoint-10"), ckpt);
      try (M3Model back = TinyM3.load(ckpt)) {
        assertEquals(model.parameters().keySet(), back.parameters().keySet());
        for (String name : model.parameters().keySet()) {
          assertArrayEquals(model.parameters().get(name).toFloatArray(), back.parameters().get(name).toFloatArray(),
              name);
        }
      }
    }
    for (String f : new String[] {"config.json", "model.safetensors", "colbert_linear.pt", "sparse_linear.pt",
        "tokenizer.json", "optimizer.safetensors", "scheduler.json", "rng.json", "trainer_state.json"}) {
      assertTrue(Files.isRegularFile(ckpt.resolve(f)), f);
    }
    try (Stream<Path> s = Files.list(out)) {
      assertEquals(1, s.count(), "no temporary folders left behind");
    }

    TrainingState read = CheckpointReader.read(ckpt);
    assertEquals(saved.scheduler(), read.scheduler());
    assertEquals(saved.rng(), read.rng());
    assertEquals(saved.trainer(), read.trainer());
    assertEquals(saved.scheduler().schedule().lr(5), read.scheduler().schedule().lr(5));

    // through a live optimizer and back: the bytes survive import and export
    try (NDManager m = NDManager.newBaseManager();
        AdamW opt = new AdamW(0.9, 0.999, 1e-8, 0, n -> false, m)) {
      opt.importState(read.optimizer());
      AdamWState again = opt.exportState();
      assertEquals(10, again.steps());
      for (String name : saved.optimizer().firstMoments().keySet()) {
        assertSameTensor(saved.optimizer().firstMoments().get(name), again.firstMoments().get(name));
        assertSameTensor(saved.optimizer().secondMoments().get(name), again.secondMoments().get(name));
      }
      assertEquals(saved.optimizer().firstMoments().keySet(), again.firstMoments().keySet());
    }
  }

  private static void assertSameTensor(HostTensor want, HostTensor got) {
    assertEquals(want.dtype(), got.dtype());
    assertArrayEquals(want.shape(), got.shape());
    assertEquals(want.bytes(), got.bytes());
  }

  @Test
  void sameStepIsReplaced() throws Exception {
    try (M3Model model = TinyM3.load(TinyM3.folder())) {
      CheckpointWriter w = new CheckpointWriter(OutputFolder.local(out), 0);
      w.write(model, state(10));
      TrainingState second = new TrainingState(state(10).optimizer(), state(10).scheduler(), new RngState(Map.of()),
          state(10).trainer());
      w.write(model, second);
    }
    assertEquals(Map.of(), CheckpointReader.read(out.resolve("checkpoint-10")).rng().states());
    try (Stream<Path> s = Files.list(out)) {
      assertFalse(s.anyMatch(p -> !p.getFileName().toString().equals("checkpoint-10")));
    }
  }
}
