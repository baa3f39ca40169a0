package io.m3spark.io;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The overwrite rule on real folders of the local file system, as Hadoop and java.nio see them. */
class OutputRuleTest {
  private static final Configuration CONF = new Configuration();

  @TempDir
  Path dir;

  private String refusal(OutputRule rule) {
    return assertThrows(IllegalArgumentException.class, () -> rule.check(true, "--overwrite", CONF)).getMessage();
  }

  @Test
  void anExistingOutputNeedsTheFlag() throws Exception {
    Path out = Files.createDirectories(dir.resolve("out"));
    String m = assertThrows(IllegalArgumentException.class,
        () -> OutputRule.folder("--output", out.toString(), "_m.json").check(false, "--overwrite", CONF)).getMessage();
    assertEquals("--output " + out + " already exists; pass --overwrite to replace it", m);
    assertDoesNotThrow(() -> OutputRule.folder("--output", dir.resolve("new").toString(), "_m.json")
        .check(false, "--overwrite", CONF));
  }

  @Test
  void onlyOurFoldersAreReplaced() throws Exception {
    Path ours = Files.createDirectories(dir.resolve("ours"));
    Files.writeString(ours.resolve("_m.json"), "{}");
    Files.writeString(ours.resolve("anything"), "x");
    assertDoesNotThrow(() -> OutputRule.folder("--output", ours.toString(), "_m.json").check(true, "--overwrite",
        CONF));
    Path empty = Files.createDirectories(dir.resolve("empty"));
    assertDoesNotThrow(() -> OutputRule.folder("--output", empty.toString(), "_m.json").check(true, "--overwrite",
        CONF));

    Path foreign = Files.createDirectories(dir.resolve("foreign"));
    Files.writeString(foreign.resolve("thesis.tex"), "x");
    String m = refusal(OutputRule.folder("--output", foreign.toString(), "_m.json"));
    assertTrue(m.startsWith("--output " + foreign + ": --overwrite will not replace it: it is not an output of "
        + "m3spark (no _m.json in it, and it holds thesis.tex)"), m);

    // names the command writes (and Hadoop's checksums of them) make a folder ours even before the marker exists
    Path partial = Files.createDirectories(dir.resolve("partial"));
    Files.createDirectories(partial.resolve("embeddings"));
    Files.writeString(partial.resolve(".embeddings.crc"), "x");
    assertDoesNotThrow(() -> OutputRule.folder("--output", partial.toString(), "_m.json", "embeddings")
        .check(true, "--overwrite", CONF));

    Path file = Files.writeString(dir.resolve("file"), "x");
    assertTrue(refusal(OutputRule.folder("--output", file.toString(), "_m.json")).contains("it is a file"));
  }

  @Test
  void aFileOutputReplacesOnlyARegularFile() throws Exception {
    Path file = Files.writeString(dir.resolve("mined.jsonl"), "x");
    assertDoesNotThrow(() -> OutputRule.file("--output_file", file.toString()).check(true, "--overwrite", CONF));
    Path folder = Files.createDirectories(dir.resolve("folder.jsonl"));
    assertTrue(refusal(OutputRule.file("--output_file", folder.toString())).contains("not a regular file"));
  }

  @Test
  void anOutputThatIsOrHoldsAnInputOrTheModelIsRefused() throws Exception {
    Path proj = Files.createDirectories(dir.resolve("proj"));
    Files.writeString(proj.resolve("_m.json"), "{}"); // even one of ours: it holds an input now
    Path input = Files.writeString(Files.createDirectories(proj.resolve("data")).resolve("in.jsonl"), "{}");
    String m = refusal(OutputRule.folder("--output", proj.toString(), "_m.json").protect("--input", input.toString()));
    assertTrue(m.contains("it contains --input " + input), m);

    m = refusal(OutputRule.file("--output_file", input.toString())
        .protect("--input_file", List.of("x", input.toString())));
    assertTrue(m.contains("it is --input_file " + input), m);

    Path model = Files.createDirectories(proj.resolve("model"));
    m = refusal(OutputRule.folder("--output", proj.toString(), "_m.json").protectLocal("--model_name_or_path",
        model.toString()));
    assertTrue(m.contains("it contains --model_name_or_path " + model), m);

    // the same location written as a file: URI, or reached through a symbolic link, is still the input
    Path link = Files.createSymbolicLink(dir.resolve("link"), proj);
    m = refusal(OutputRule.folder("--output", link.toString(), "_m.json").protect("--input", input.toUri().toString()));
    assertTrue(m.contains("contains --input"), m);

    // what does not exist (a Hub id), or names no file system, protects nothing
    assertDoesNotThrow(() -> OutputRule.folder("--output", proj.toString(), "_m.json")
        .protectLocal("--model_name_or_path", "BAAI/bge-m3").protectLocal("--model_name_or_path", "builtin:x")
        .check(true, "--overwrite", CONF));
  }

  @Test
  void theWorkingDirectoryAndRootsAreRefused() {
    String cwd = System.getProperty("user.dir");
    assertTrue(refusal(OutputRule.folder("--output", cwd, "_m.json")).contains("is the current directory"));
    String parent = Path.of(cwd).getParent().toString();
    assertTrue(refusal(OutputRule.folder("--output", parent, "_m.json")).contains("contains the current directory"));
    assertTrue(refusal(OutputRule.folder("--output", "/", "_m.json")).contains("root"));
  }

  @Test
  void aSharedFolderMayExistAndIsCheckedOnlyBeforeDeleting() throws Exception {
    Path out = Files.createDirectories(dir.resolve("train-out"));
    Path data = Files.writeString(out.resolve("train.jsonl"), "{}");
    OutputRule rule = OutputRule.sharedFolder("--output_dir", out.toString()).protect("--train_data", data.toString());
    assertDoesNotThrow(() -> rule.check(false, "--overwrite_output_dir", CONF));
    String m = assertThrows(IllegalArgumentException.class, () -> rule.check(true, "--overwrite_output_dir", CONF))
        .getMessage();
    assertTrue(m.contains("--overwrite_output_dir will not replace it: it contains --train_data " + data), m);
  }
}
