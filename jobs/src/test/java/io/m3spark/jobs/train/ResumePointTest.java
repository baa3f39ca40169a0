package io.m3spark.jobs.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.m3spark.cli.UsageException;
import io.m3spark.train.checkpoint.TrainerState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
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

  @Test
  void trueNeedsACheckpointAutoDoesNot() throws Exception {
    assertNull(ResumePoint.resolve(null, out));
    assertNull(ResumePoint.resolve("False", out));
    assertNull(ResumePoint.resolve("auto", out));
    UsageException e = assertThrows(UsageException.class, () -> ResumePoint.resolve("True", out));
    assertTrue(e.getMessage().contains("no complete checkpoint-N folder"), e.getMessage());
    checkpoint(5, Map.of());
    Path newest = checkpoint(10, Map.of());
    assertEquals(newest, ResumePoint.resolve("auto", out));
    assertEquals(newest, ResumePoint.resolve("true", out));
    assertEquals(out.resolve("checkpoint-5"), ResumePoint.resolve(out.resolve("checkpoint-5").toString(), out));
    assertThrows(UsageException.class, () -> ResumePoint.resolve(out.resolve("checkpoint-7").toString(), out));
  }

  @Test
  void flagsThatShapeTheRunMustNotChange() throws Exception {
    Path c = checkpoint(3, Map.of("seed", "42", "learning_rate", "1.0E-5", "logging_steps", "1"));
    ResumePoint.check(c, Map.of("seed", "42", "learning_rate", "1.0E-5", "logging_steps", "50"), 1);
    UsageException e = assertThrows(UsageException.class,
        () -> ResumePoint.check(c, Map.of("seed", "7", "learning_rate", "2.0E-5", "logging_steps", "1"), 1));
    assertTrue(e.getMessage().contains("--seed was 42, now 7") && e.getMessage().contains("--learning_rate"),
        e.getMessage());
  }
}
