package io.m3spark.train.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.m3spark.io.OutputFolder;
import io.m3spark.model.M3Model;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** latest() and save_total_limit. */
class CheckpointFoldersTest {
  @TempDir
  Path out;

  private static List<String> names(Path outputDir) throws Exception {
    return CheckpointFolders.complete(OutputFolder.local(outputDir)).stream().map(OutputFolder::name).toList();
  }

  @Test
  void latestIgnoresInterruptedWrites() throws Exception {
    assertEquals(Optional.empty(), CheckpointReader.latest(OutputFolder.local(out.resolve("missing"))));
    try (M3Model model = TinyM3.load(TinyM3.folder())) {
      new CheckpointWriter(OutputFolder.local(out), 0).write(model, CheckpointRoundTripTest.state(10));
    }
    // a killed job's temporary folder, even one that got as far as its trainer state
    Path tmp = Files.createDirectories(out.resolve(".checkpoint-20.5f3a.tmp"));
    Files.writeString(tmp.resolve("trainer_state.json"), "{}");
    // a folder under the final name without the trainer state (a non-atomic copy cut short)
    Files.createDirectories(out.resolve("checkpoint-30"));
    Files.createDirectories(out.resolve("checkpoint-x"));
    assertEquals(Optional.of(out.toAbsolutePath().resolve("checkpoint-10").toString()),
        CheckpointReader.latest(OutputFolder.local(out)).map(OutputFolder::location));
  }

  @Test
  void saveTotalLimitKeepsTheNewest() throws Exception {
    try (M3Model model = TinyM3.load(TinyM3.folder())) {
      CheckpointWriter w = new CheckpointWriter(OutputFolder.local(out), 2);
      for (long step : new long[] {10, 20, 30, 100}) {
        w.write(model, CheckpointRoundTripTest.state(step));
      }
      assertEquals(List.of("checkpoint-30", "checkpoint-100"), names(out));
      // a resumed run writing an older step keeps the one just written, and drops the oldest other
      w.write(model, CheckpointRoundTripTest.state(5));
      assertEquals(List.of("checkpoint-5", "checkpoint-100"), names(out));
    }
  }
}
