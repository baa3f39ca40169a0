package io.m3spark.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicTextFileTest {
  @Test
  void uncommittedWriteLeavesNothingBehind(@TempDir Path dir) throws Exception {
    Path target = dir.resolve("out.jsonl");
    try (AtomicTextFile f = AtomicTextFile.create(target)) {
      f.writeLine("half");
    }
    assertFalse(Files.exists(target));
    assertEquals(List.of(), List.of(dir.toFile().list()));
  }

  @Test
  void commitReplacesTheTarget(@TempDir Path dir) throws Exception {
    Path target = dir.resolve("sub/out.jsonl");
    AtomicTextFile.write(target, "old\n");
    try (AtomicTextFile f = AtomicTextFile.create(target)) {
      f.writeLine("new");
      f.commit();
    }
    assertEquals("new\n", Files.readString(target));
    assertEquals(1, dir.resolve("sub").toFile().list().length);
  }
}
