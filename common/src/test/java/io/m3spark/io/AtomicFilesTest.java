package io.m3spark.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The durable renames on real files. What {@code fsync} buys (surviving a power loss) cannot be observed from a test:
 * these check that forcing every file and folder of what is published works on the shapes outputs take (nested
 * folders, symbolic links, replaced files) and leaves exactly the output. That the calls reach the kernel was checked
 * by hand with {@code strace -f -e trace=fsync,rename} (docs/architecture.md, "Outputs").
 */
class AtomicFilesTest {
  @TempDir
  Path dir;

  private List<String> names(Path folder) throws Exception {
    try (Stream<Path> s = Files.list(folder)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void writeReplacesTheTargetAndLeavesNoTemporaryFile() throws Exception {
    Path target = dir.resolve("a.bin");
    AtomicFiles.writeString(target, "old");
    AtomicFiles.write(target, ch -> ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3})));
    assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(target));
    assertEquals(List.of("a.bin"), names(dir));
  }

  @Test
  void aFolderIsForcedWholeAndRenamedIntoPlace() throws Exception {
    Path tmp = AtomicFiles.tempSiblingFolder(dir.resolve("model"), "tmp");
    Files.writeString(Files.createDirectories(tmp.resolve("sub/deeper")).resolve("w.bin"), "weights");
    Files.writeString(tmp.resolve("config.json"), "{}");
    Files.createSymbolicLink(tmp.resolve("dangling"), dir.resolve("nowhere")); // links are not followed
    Files.createSymbolicLink(tmp.resolve("up"), dir); // nor walked into
    AtomicFiles.moveInto(tmp, dir.resolve("model"));
    assertEquals(List.of("model"), names(dir));
    assertEquals("weights", Files.readString(dir.resolve("model/sub/deeper/w.bin")));
    assertEquals(List.of("config.json", "dangling", "sub", "up"), names(dir.resolve("model")));
  }

  @Test
  void moveAtomicallyNeverReplacesAFilledFolder() throws Exception {
    Path target = Files.createDirectories(dir.resolve("out"));
    Files.writeString(target.resolve("theirs"), "x");
    Path tmp = AtomicFiles.tempSiblingFolder(target, "tmp");
    Files.writeString(tmp.resolve("ours"), "y");
    assertThrows(FileSystemException.class, () -> AtomicFiles.moveAtomically(tmp, target));
    assertEquals(List.of("theirs"), names(target));
    assertEquals(List.of("ours"), names(tmp));
  }

  @Test
  void forcingAFolderOnItsOwnWorks() throws Exception {
    FileSync.directory(dir);
    FileSync.tree(dir.resolve("missing")); // nothing there: nothing to force
    Path f = Files.writeString(dir.resolve("f"), "x");
    FileSync.file(f);
    assertTrue(Files.exists(f));
  }
}
