package io.m3spark.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real Spark standalone cluster on loopback for the cluster suite: one master and several worker JVMs started by
 * {@code submit/local-cluster} from the build's Spark jars, jobs submitted through {@code submit/m3spark-submit} with the
 * shipped {@code conf/} (GPU settings left out: {@code M3SPARK_GPU=0}), and the local launcher {@code submit/m3spark}
 * for the {@code local[*]} runs the cluster's outputs are compared with. Everything it starts and writes lives under one
 * folder in {@code jobs/target/}, which stays after the tests for reading the logs.
 */
final class LocalCluster implements AutoCloseable {
  /** The repository root (Maven runs the jobs module's tests from jobs/). */
  static final Path ROOT = Paths.get("..").toAbsolutePath().normalize();
  private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(6);

  private final Path dir;
  private final int cores;
  private final Map<String, String> env;

  /** What one command did: its exit code and its console output (stdout and stderr), kept in {@code log}. */
  record Run(int exitCode, Path log, double seconds) {
    String output() {
      try {
        return Files.readString(log, StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "(cannot read " + log + ": " + e + ")";
      }
    }

    /** The last lines of the output, for assertion messages. */
    String tail() {
      List<String> lines = output().lines().toList();
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }
  }

  private LocalCluster(Path dir, int cores, Map<String, String> env) {
    this.dir = dir;
    this.cores = cores;
    this.env = env;
  }

  /**
   * Empties {@code dir} (what an earlier run of the suite left there) and starts in {@code dir/spark} the cluster the
   * suite uses: two workers of two cores and 3 GB each.
   */
  static LocalCluster startEmpty(Path dir) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    try (Stream<Path> old = Files.walk(dir)) {
      old.sorted(Collections.reverseOrder()).filter(p -> !p.equals(dir)).forEach(p -> p.toFile().delete());
    }
    return start(dir.resolve("spark"), 2, 2, "3g");
  }

  /** Starts a cluster of {@code workers} workers with {@code cores} cores each, in {@code dir}. */
  static LocalCluster start(Path dir, int workers, int cores, String memory) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Path log = dir.resolve("start.log");
    int code = exec(List.of(script("local-cluster"), "start", "--dir", dir.toString(), "--workers",
        String.valueOf(workers), "--cores", String.valueOf(cores), "--memory", memory), Map.of(), log);
    if (code != 0) {
      throw new IllegalStateException("submit/local-cluster start failed (" + code + "):\n" + Files.readString(log));
    }
    LocalCluster cluster = new LocalCluster(dir, cores, readEnv(dir.resolve("cluster.env")));
    // a test JVM that ends without @AfterAll (killed by a timeout, say) must not leave the daemons running
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        cluster.close();
      } catch (IOException | InterruptedException | RuntimeException e) {
        // the JVM is ending; the daemons' own process groups are all that is left to clean
      }
    }, "local-cluster-stop"));
    return cluster;
  }

  String masterUrl() {
    return env.get("MASTER_URL");
  }

  Path dir() {
    return dir;
  }

  /**
   * Runs {@code submit/m3spark-submit [options] -- command...} against this cluster: the shipped properties, with the
   * settings a laptop-sized cluster needs on top (executor size, the CPU libtorch, loopback), and {@code extraOptions}.
   */
  Run submit(String name, List<String> extraOptions, String... command) throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of(script("m3spark-submit"), "--master", masterUrl(),
        "--conf", "spark.executor.cores=" + cores, "--conf", "spark.executor.memory=1g",
        "--conf", "spark.driver.memory=1g", "--conf", "spark.driver.host=127.0.0.1",
        "--conf", "spark.executorEnv.PYTORCH_LIBRARY_PATH=" + env.get("PYTORCH_LIBRARY_PATH"),
        "--conf", "spark.executorEnv.PYTORCH_FLAVOR=cpu",
        "--conf", "spark.executorEnv.SPARK_LOCAL_IP=127.0.0.1"));
    for (String var : List.of("LD_PRELOAD", "MALLOC_CONF")) {
      String value = env.getOrDefault("EXECUTOR_" + var, "");
      if (!value.isEmpty()) {
        args.addAll(List.of("--conf", "spark.executorEnv." + var + "=" + value));
      }
    }
    args.addAll(extraOptions);
    args.add("--");
    Collections.addAll(args, command);
    Map<String, String> vars = Map.of("SPARK_HOME", env.get("SPARK_HOME"), "M3SPARK_GPU", "0",
        "SPARK_CONF_DIR", env.get("SPARK_HOME") + "/conf");
    return run(name + "-cluster", args, vars);
  }

  /**
   * Runs {@code submit/m3spark command...}: the same command on an embedded {@code local[2]} — as many cores as the
   * cluster has executors, whatever the machine, so that training splits them the same way (one per worker).
   */
  Run local(String name, String... command) throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of(script("m3spark")));
    Collections.addAll(args, command);
    return run(name + "-local", args, Map.of("M3SPARK_DRIVER_MEMORY", "2g", "M3SPARK_MASTER", "local[2]"));
  }

  private Run run(String name, List<String> args, Map<String, String> vars) throws IOException, InterruptedException {
    Path log = dir.resolve("runs").resolve(name + ".log");
    Files.createDirectories(log.getParent());
    long start = System.nanoTime();
    int code = exec(args, vars, log);
    return new Run(code, log, (System.nanoTime() - start) / 1e9);
  }

  /** The executor JVMs running now: children of the worker JVMs. */
  List<ProcessHandle> executors() {
    List<ProcessHandle> out = new ArrayList<>();
    for (String pid : env.get("WORKER_PIDS").split("\\s+")) {
      ProcessHandle.of(Long.parseLong(pid)).ifPresent(worker -> worker.descendants()
          .filter(p -> p.info().commandLine().orElse("").contains("CoarseGrainedExecutorBackend"))
          .forEach(out::add));
    }
    return out;
  }

  /**
   * Kills with SIGKILL (a lost machine, an OOM kill) the first executor whose log ({@code stderr} in the worker's
   * folder for it) shows a line matching {@code trigger}, within {@code timeout}.
   *
   * @return the killed executor's "app-id/executor-id", or empty when no executor logged such a line in time
   */
  Optional<String> killExecutorWhenLogged(Pattern trigger, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      for (Path stderr : executorLogs()) {
        if (trigger.matcher(Files.readString(stderr, StandardCharsets.ISO_8859_1)).find()) {
          Path folder = stderr.getParent();
          Optional<String> killed = kill(folder.getParent().getFileName() + "/" + folder.getFileName());
          if (killed.isPresent()) {
            return killed;
          }
        }
      }
      Thread.sleep(100);
    }
    return Optional.empty();
  }

  /** As {@link #killExecutorWhenLogged}, killing any executor once {@code condition} holds. */
  Optional<String> killAnExecutorWhen(BooleanSupplier condition, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        for (ProcessHandle p : executors()) {
          Optional<String> killed = kill(executorId(p));
          if (killed.isPresent()) {
            return killed;
          }
        }
      }
      Thread.sleep(100);
    }
    return Optional.empty();
  }

  private Optional<String> kill(String appAndExecutor) throws Exception {
    for (ProcessHandle p : executors()) {
      if (executorId(p).equals(appAndExecutor)) {
        new ProcessBuilder("kill", "-9", String.valueOf(p.pid())).start().waitFor();
        p.onExit().get(30, TimeUnit.SECONDS);
        return Optional.of(appAndExecutor);
      }
    }
    return Optional.empty();
  }

  /** "app-id/executor-id" of an executor JVM, from the arguments its worker started it with. */
  private static String executorId(ProcessHandle executor) {
    List<String> args = List.of(executor.info().arguments().orElse(new String[0]));
    int app = args.indexOf("--app-id");
    int id = args.indexOf("--executor-id");
    return app < 0 || id < 0 ? "" : args.get(app + 1) + "/" + args.get(id + 1);
  }

  private List<Path> executorLogs() throws IOException {
    Path work = Paths.get(env.get("WORK_DIR"));
    if (!Files.isDirectory(work)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(work, 3)) {
      return files.filter(p -> p.getFileName().toString().equals("stderr")).sorted().toList();
    } catch (java.io.UncheckedIOException e) {
      return List.of(); // a folder appeared or vanished while listing; the next poll sees it
    }
  }

  @Override
  public void close() throws IOException, InterruptedException {
    exec(List.of(script("local-cluster"), "stop", "--dir", dir.toString()), Map.of(), dir.resolve("stop.log"));
  }

  private static String script(String name) {
    return ROOT.resolve("submit").resolve(name).toString();
  }

  private static int exec(List<String> args, Map<String, String> vars, Path log) throws IOException,
      InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(args).directory(ROOT.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().putAll(vars);
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    Process p = pb.start();
    if (!p.waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      throw new IllegalStateException(String.join(" ", args) + " ran past " + COMMAND_TIMEOUT + "; log: " + log);
    }
    return p.exitValue();
  }

  private static Map<String, String> readEnv(Path file) throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    for (String line : Files.readAllLines(file)) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        out.put(line.substring(0, eq), line.substring(eq + 1).replaceAll("^\"|\"$", ""));
      }
    }
    return out;
  }
}
