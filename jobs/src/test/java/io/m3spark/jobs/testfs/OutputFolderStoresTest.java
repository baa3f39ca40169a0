package io.m3spark.jobs.testfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m3spark.io.HadoopStore;
import io.m3spark.io.OutputFolder;
import io.m3spark.train.checkpoint.CheckpointFolders;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.util.Progressable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link OutputFolder} on Hadoop stores that are not the local one: {@code m3test://} (atomic rename, published
 * through a temporary sibling) and {@code m3obj://} (no rename: straight uploads, the marker file last), plus
 * {@code m3fail://}, which fails one upload, to see what an interrupted write leaves on either kind of store. The stores serve the local disk, so what
 * they hold is checked with java.nio.
 */
class OutputFolderStoresTest {
  @TempDir
  Path tmp;

  /**
   * Fails creating any file named {@link #failOn}, as a lost connection or a killed executor would mid-upload. Rename
   * works; {@link #conf} lists the scheme as an object store or not.
   */
  public static class FailingStore extends LocalDiskFileSystem {
    static volatile String failOn;

    @Override
    protected String scheme() {
      return "m3fail";
    }

    @Override
    public FSDataOutputStream create(org.apache.hadoop.fs.Path f, boolean overwrite, int bufferSize,
        short replication, long blockSize, Progressable progress) throws IOException {
      if (f.getName().equals(failOn)) {
        throw new IOException("injected: the upload of " + f + " is cut short");
      }
      return super.create(f, overwrite, bufferSize, replication, blockSize, progress);
    }
  }

  /** The test stores, and {@code m3fail://} as an object store when {@code failingIsObjectStore}. */
  static Configuration conf(boolean failingIsObjectStore) {
    Configuration conf = new Configuration();
    TestStores.SPARK_PROPERTIES.forEach((key, value) -> conf.set(key.substring("spark.hadoop.".length()), value));
    conf.set("fs.m3fail.impl", FailingStore.class.getName());
    conf.set(HadoopStore.OBJECT_STORE_SCHEMES, "s3a,gs,m3obj" + (failingIsObjectStore ? ",m3fail" : ""));
    return conf;
  }

  static Configuration conf() {
    return conf(false);
  }

  private OutputFolder open(String scheme, Path local) throws IOException {
    return OutputFolder.open(scheme + "://" + local, conf());
  }

  /** Every file under {@code root} by relative path, with its content. */
  static Map<String, String> tree(Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    if (!Files.exists(root)) {
      return out;
    }
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        out.put(root.relativize(f).toString(), Files.readString(f));
      }
    }
    return out;
  }

  /** A checkpoint-like folder staged at {@code local("checkpoint-N")}, trainer state included. */
  private static void stageCheckpoint(OutputFolder out, String name, String content) throws IOException {
    Path folder = out.local(name);
    Files.createDirectories(folder.resolve("sub"));
    Files.writeString(folder.resolve("model.safetensors"), content + " weights");
    Files.writeString(folder.resolve("sub/nested.json"), content + " nested");
    Files.writeString(folder.resolve("trainer_state.json"), content + " state");
    Files.writeString(folder.resolve("training_loss.json"), content + " losses"); // after the state, by name
  }

  @Test
  void objectStoresAreTheListedSchemes() throws IOException {
    assertTrue(HadoopStore.of(new org.apache.hadoop.fs.Path("m3test:///x"), conf()).renamesAtomically());
    assertFalse(HadoopStore.of(new org.apache.hadoop.fs.Path("m3obj:///x"), conf()).renamesAtomically());
    assertTrue(HadoopStore.of(new org.apache.hadoop.fs.Path("file:///x"), conf()).renamesAtomically());
    Configuration unlisted = conf();
    unlisted.unset(HadoopStore.OBJECT_STORE_SCHEMES);
    assertTrue(HadoopStore.of(new org.apache.hadoop.fs.Path("m3obj:///x"), unlisted).renamesAtomically(),
        "not in the default list");
  }

  @Test
  void filesAndFoldersArePublishedWholeOnEveryStore() throws IOException {
    for (String scheme : List.of("m3test", "m3obj")) {
      Path root = tmp.resolve(scheme);
      Path working;
      try (OutputFolder out = open(scheme, root)) {
        assertEquals(scheme + ":" + root, out.location(), "Hadoop's form of the URI, which opens the same folder");
        assertEquals(List.of(), out.list());
        out.writeString("progress.json", "{\"step\": 1}");
        out.writeString("progress.json", "{\"step\": 2}");
        stageCheckpoint(out, "checkpoint-2", "first");
        working = out.local("");
        out.publishFolder("checkpoint-2", "trainer_state.json");
        stageCheckpoint(out, "checkpoint-2", "second");
        out.publishFolder("checkpoint-2", "trainer_state.json");
        Files.writeString(out.child("EVAL").local("eval_results.json"), "{}");
        out.child("EVAL").publish("eval_results.json");

        assertEquals(Map.of("progress.json", "{\"step\": 2}", "checkpoint-2/model.safetensors", "second weights",
            "checkpoint-2/sub/nested.json", "second nested", "checkpoint-2/trainer_state.json", "second state",
            "checkpoint-2/training_loss.json", "second losses", "EVAL/eval_results.json", "{}"), tree(root),
            scheme + ": no temporary file left, no .crc");
        assertEquals(Map.of(), tree(working), scheme + ": local copies are deleted once published");
        assertEquals(List.of("EVAL", "checkpoint-2", "progress.json"), out.list());
        assertEquals("{\"step\": 2}", new String(out.read("progress.json"), StandardCharsets.UTF_8));
        assertEquals("second state", Files.readString(out.child("checkpoint-2").fetch("trainer_state.json")));
        assertEquals(List.of("checkpoint-2"),
            CheckpointFolders.complete(out).stream().map(OutputFolder::name).toList());
        CheckpointFolders.delete(out, "checkpoint-2");
        assertFalse(out.exists("checkpoint-2"));
      }
      assertFalse(Files.exists(working), scheme + ": the working folder goes with the folder");
    }
  }

  @Test
  void anInterruptedFolderUploadNeverLooksComplete() throws IOException {
    for (boolean objectStore : List.of(false, true)) {
      Path root = tmp.resolve("failing-" + objectStore);
      try (OutputFolder out = OutputFolder.open("m3fail://" + root, conf(objectStore))) {
        FailingStore.failOn = null;
        stageCheckpoint(out, "checkpoint-2", "old");
        out.publishFolder("checkpoint-2", "trainer_state.json");
        for (String cut : List.of("nested.json", "training_loss.json", "trainer_state.json")) {
          FailingStore.failOn = cut;
          stageCheckpoint(out, "checkpoint-2", "new");
          stageCheckpoint(out, "checkpoint-4", "new");
          assertThrows(IOException.class, () -> out.publishFolder("checkpoint-4", "trainer_state.json"));
          assertThrows(IOException.class, () -> out.publishFolder("checkpoint-2", "trainer_state.json"));
          List<String> complete = new ArrayList<>();
          CheckpointFolders.complete(out).forEach(c -> complete.add(c.name()));
          if (!objectStore) {
            // the rename never happened: the old checkpoint is intact, the new one absent, no temporary left
            assertEquals(List.of("checkpoint-2"), complete, cut);
            assertEquals("old weights", Files.readString(root.resolve("checkpoint-2/model.safetensors")));
            assertEquals(List.of("checkpoint-2"), out.list(), cut);
          } else {
            // uploaded in place: whatever got there has no trainer state, so it is not a checkpoint
            assertEquals(List.of(), complete, cut);
            assertFalse(Files.exists(root.resolve("checkpoint-4/trainer_state.json")), cut);
          }
        }
      } finally {
        FailingStore.failOn = null;
      }
    }
  }

  @Test
  void aLocalPathOrFileUriIsWrittenInPlace() throws IOException {
    Path root = tmp.resolve("local");
    for (String location : List.of(root.toString(), root.toUri().toString(), "file:" + root)) {
      try (OutputFolder out = OutputFolder.open(location, conf())) {
        assertEquals(root.toString(), out.location());
        assertEquals(root.resolve("a.json"), out.local("a.json"), "written in place, no working copy");
        out.writeString("a.json", location);
        assertEquals(location, Files.readString(root.resolve("a.json")));
        assertEquals(root.resolve("a.json"), out.fetch("a.json"));
      }
    }
    assertEquals(List.of("a.json"), OutputFolder.local(root).list());
  }
}
