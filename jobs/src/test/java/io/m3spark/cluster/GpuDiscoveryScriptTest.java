package io.m3spark.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code submit/getGpusResources.sh}, the executors' GPU discovery script. There is no GPU here, so {@code nvidia-smi}
 * is a stand-in on the PATH that prints a four-GPU host in nvidia-smi's CSV form; everything else — the claims, the
 * locking, the executor processes — is real. An "executor" is a shell that runs the script and stays alive, as the
 * executor JVM that runs it does.
 */
class GpuDiscoveryScriptTest {
  private static final Path SCRIPT = LocalCluster.ROOT.resolve("submit/getGpusResources.sh");

  @TempDir
  Path dir;
  private final List<Process> executors = new ArrayList<>();

  @BeforeEach
  void fourGpuHost() throws IOException {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path smi = bin.resolve("nvidia-smi");
    Files.writeString(smi, "#!/bin/sh\nprintf '0, GPU-aaaa\\n1, GPU-bbbb\\n2, GPU-cccc\\n3, GPU-dddd\\n'\n");
    Files.setPosixFilePermissions(smi, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  @AfterEach
  void endExecutors() {
    executors.forEach(Process::destroyForcibly);
  }

  /** Starts an "executor" that runs the discovery script once, and returns what the script printed. */
  private String executor(Map<String, String> env) throws Exception {
    Path out = dir.resolve("out-" + executors.size());
    start(out, env);
    return printed(out);
  }

  /** Starts an "executor" whose script writes to {@code out}. */
  private void start(Path out, Map<String, String> env) throws IOException {
    ProcessBuilder pb = new ProcessBuilder("bash", "-c", "\"$0\" > \"$1\"; sleep 600", SCRIPT.toString(),
        out.toString());
    pb.environment().put("PATH", dir.resolve("bin") + ":" + System.getenv("PATH"));
    pb.environment().put("M3SPARK_GPU_CLAIMS", dir.resolve("claims").toString());
    pb.environment().remove("CUDA_VISIBLE_DEVICES");
    pb.environment().putAll(env);
    executors.add(pb.start());
  }

  /** What the script wrote to {@code out}, once it has written a whole line. */
  private static String printed(Path out) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.exists(out) && Files.readString(out, StandardCharsets.UTF_8).endsWith("}\n")) {
        return Files.readString(out, StandardCharsets.UTF_8).trim();
      }
      Thread.sleep(20);
    }
    throw new AssertionError("the discovery script printed nothing");
  }

  @Test
  void coLocatedExecutorsClaimDifferentGpusAndAFinishedOnesGpuIsReused() throws Exception {
    assertEquals("{\"name\":\"gpu\",\"addresses\":[\"0\"]}", executor(Map.of()));
    assertEquals("{\"name\":\"gpu\",\"addresses\":[\"1\"]}", executor(Map.of()));
    assertEquals("{\"name\":\"gpu\",\"addresses\":[\"2\",\"3\"]}", executor(Map.of("M3SPARK_EXECUTOR_GPUS", "2")));
    assertEquals("{\"name\":\"gpu\",\"addresses\":[]}", executor(Map.of()), "every GPU is held");
    executors.get(0).destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    assertEquals("{\"name\":\"gpu\",\"addresses\":[\"0\"]}", executor(Map.of()), "the dead executor's GPU is free");
  }

  @Test
  void executorsStartedAtOnceNeverShareAGpu() throws Exception {
    List<Path> outs = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      outs.add(dir.resolve("parallel-" + i));
      start(outs.get(i), Map.of());
    }
    List<String> seen = new ArrayList<>();
    for (Path out : outs) {
      String printed = printed(out);
      assertNotEquals("{\"name\":\"gpu\",\"addresses\":[]}", printed);
      seen.add(printed);
    }
    assertEquals(4, seen.stream().distinct().count(), "GPUs were shared: " + seen);
  }

  @Test
  void anIsolatedExecutorReportsItsVisibleGpus() throws Exception {
    assertEquals("{\"name\":\"gpu\",\"addresses\":[\"2\"]}", executor(Map.of("CUDA_VISIBLE_DEVICES", "2")));
    assertEquals("{\"name\":\"gpu\",\"addresses\":[\"3\",\"1\"]}",
        executor(Map.of("CUDA_VISIBLE_DEVICES", "GPU-dddd,1")));
  }

  @Test
  void aHostWithoutNvidiaSmiHasNoGpus() throws Exception {
    Files.delete(dir.resolve("bin/nvidia-smi"));
    Path bin = Files.createDirectories(dir.resolve("bare"));
    for (String tool : List.of("bash", "sh", "cat", "awk", "tr", "mkdir", "flock", "sleep")) {
      Path real = Path.of("/usr/bin", tool);
      Files.createSymbolicLink(bin.resolve(tool), Files.exists(real) ? real : Path.of("/bin", tool));
    }
    ProcessBuilder pb = new ProcessBuilder("/bin/bash", SCRIPT.toString());
    pb.environment().put("PATH", bin.toString());
    Process p = pb.start();
    String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    p.waitFor(10, TimeUnit.SECONDS);
    assertEquals("{\"name\":\"gpu\",\"addresses\":[]}", printed);
  }
}
