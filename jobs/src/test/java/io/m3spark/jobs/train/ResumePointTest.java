package io.m3spark.jobs.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.m3spark.cli.UsageException;
import io.m3spark.io.OutputFolder;
import io.m3spark.train.checkpoint.TrainerState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --resume_from_checkpoint}: its values, and the refusal of a resume whose flags would change the run. */
class ResumePointTest {
  @TempDir
  Path out;

  private Path checkpoint(long step, Map<String, String> flags) throws Exception {
    Path folder = Files.createDirectories(out.resolve("checkpoint-" + step));
    new ObjectMapper().writeValue(folder.resolve("trainer_state.json").toFile(),
        new TrainerState(step, 0, step, 0, 1, flags));
    return folder;
  }

  /** The checkpoint {@code flag} resolves to, as a path (null for none). */
  private Path resolve(String flag) throws Exception {
    OutputFolder c = ResumePoint.resolve(flag, OutputFolder.local(out), new Configuration());
    return c == null ? null : Path.of(c.location());
  }

  @Test
  void trueNeedsACheckpointAutoDoesNot() throws Exception {
    assertNull(resolve(null));
    assertNull(resolve("False"));
    assertNull(resolve("auto"));
    UsageException e = assertThrows(UsageException.class, () -> resolve("True"));
    assertTrue(e.getMessage().contains("no complete checkpoint-N folder"), e.getMessage());
    checkpoint(5, Map.of());
    Path newest = checkpoint(10, Map.of());
    assertEquals(newest, resolve("auto"));
    assertEquals(newest, resolve("true"));
    assertEquals(out.resolve("checkpoint-5"), resolve(out.resolve("checkpoint-5").toString()));
    assertThrows(UsageException.class, () -> resolve(out.resolve("checkpoint-7").toString()));
  }

  @Test
  void flagsThatShapeTheRunMustNotChange() throws Exception {
    OutputFolder c = OutputFolder.local(checkpoint(3, Map.of("seed", "42", "learning_rate", "1.0E-5",
        "logging_steps", "1")));
    ResumePoint.check(c, Map.of("seed", "42", "learning_rate", "1.0E-5", "logging_steps", "50"), 1);
    UsageException e = assertThrows(UsageException.class,
        () -> ResumePoint.check(c, Map.of("seed", "7", "learning_rate", "2.0E-5", "logging_steps", "1"), 1));
    assertTrue(e.getMessage().contains("--seed was 42, now 7") && e.getMessage().contains("--learning_rate"),
        e.getMessage());
  }
}
