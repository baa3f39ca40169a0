package io.m3spark.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code submit/m3spark-submit} adds our properties without replacing the cluster's: a key that the cluster's
 * {@code spark-defaults.conf}, the user's {@code --properties-file}, a {@code --conf} or a spark-submit option sets is
 * left to them; {@code --files}/{@code --jars} are merged. Checked on the command line it builds ({@code
 * M3SPARK_DRY_RUN=1}) and, once, by the properties real spark-submit then reports ({@code --verbose}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SubmitWrapperIT {
  private static final Path SUBMIT = LocalCluster.ROOT.resolve("submit/m3spark-submit");
  private static final String DISCOVERY = LocalCluster.ROOT.resolve("submit/getGpusResources.sh").toString();

  @TempDir
  Path dir;
  private Path sparkHome;

  @BeforeAll
  void sparkHome(@TempDir Path home) throws Exception {
    Process p = new ProcessBuilder(LocalCluster.ROOT.resolve("submit/local-cluster").toString(), "spark-home",
        "--dir", home.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertEquals(0, p.waitFor(), out);
    sparkHome = Path.of(out.lines().reduce((a, b) -> b).orElseThrow());
  }

  /** The arguments m3spark-submit would run spark-submit with. */
  private List<String> dryRun(Map<String, String> env, String... options) throws Exception {
    List<String> args = new ArrayList<>(List.of(SUBMIT.toString()));
    args.addAll(List.of(options));
    args.addAll(List.of("--", "embed", "--help"));
    ProcessBuilder pb = new ProcessBuilder(args).redirectErrorStream(true);
    pb.environment().put("M3SPARK_DRY_RUN", "1");
    pb.environment().remove("SPARK_CONF_DIR");
    pb.environment().remove("M3SPARK_GPU");
    pb.environment().remove("M3SPARK_RAPIDS_JAR");
    pb.environment().putAll(env);
    Process p = pb.start();
    List<String> out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    assertEquals(0, p.waitFor(), String.join("\n", out));
    return out;
  }

  /** The values given with {@code --conf key=value}, by key. */
  private static Map<String, String> confs(List<String> args) {
    Map<String, String> out = new HashMap<>();
    for (int i = 0; i < args.size() - 1; i++) {
      if (args.get(i).equals("--conf")) {
        String kv = args.get(i + 1);
        assertFalse(out.containsKey(kv.substring(0, kv.indexOf('='))), "twice: " + kv);
        out.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
      }
    }
    return out;
  }

  private static String after(List<String> args, String option) {
    int i = args.indexOf(option);
    return i < 0 ? null : args.get(i + 1);
  }

  private Path confDir(String... lines) throws IOException {
    Path conf = Files.createDirectories(dir.resolve("conf-" + System.nanoTime()));
    Files.write(conf.resolve("spark-defaults.conf"), List.of(lines));
    return conf;
  }

  @Test
  void shippedPropertiesGoAsConfsWithTheDiscoveryScript() throws Exception {
    List<String> args = dryRun(Map.of("SPARK_HOME", sparkHome.toString()), "--master", "yarn");
    Map<String, String> c = confs(args);
    assertEquals("1", c.get("spark.executor.resource.gpu.amount"));
    assertEquals("8", c.get("spark.executor.cores"));
    assertEquals("8g", c.get("spark.executor.memoryOverhead"));
    assertEquals("org.apache.spark.serializer.KryoSerializer", c.get("spark.serializer"));
    assertEquals(DISCOVERY, after(args, "--files"));
    assertFalse(args.contains("--properties-file"), "--properties-file would replace the cluster's defaults");
    assertEquals(sparkHome.resolve("bin/spark-submit").toString(), args.get(0));
    assertEquals("io.m3spark.cli.Cli", after(args, "--class"));
    assertEquals(List.of("embed", "--help"), args.subList(args.size() - 2, args.size()));
  }

  @Test
  void theClustersDefaultsAndTheCommandLineWin() throws Exception {
    Path conf = confDir("# the cluster's own", "spark.executor.cores   4", "spark.serializer=org.apache.spark."
        + "serializer.JavaSerializer", "spark.files: hdfs:///shared/setup.sh", "  spark.driver.memory 12g");
    List<String> args = dryRun(Map.of("SPARK_CONF_DIR", conf.toString()), "--conf", "spark.executor.memory=32g",
        "--executor-memory", "30g", "--num-executors", "3", "--files", "local.txt", "--verbose");
    Map<String, String> c = confs(args);
    for (String key : List.of("spark.executor.cores", "spark.serializer", "spark.driver.memory")) {
      assertFalse(c.containsKey(key), key + " is the cluster's: " + c.get(key));
    }
    assertEquals("32g", c.get("spark.executor.memory"), "the user's --conf, once");
    assertEquals("8g", c.get("spark.executor.memoryOverhead"), "keys nobody sets are ours");
    assertEquals("local.txt," + DISCOVERY, after(args, "--files"), "--files on the command line replaces spark.files");
    assertTrue(args.contains("--verbose") && after(args, "--num-executors").equals("3"));

    List<String> fromDefaults = dryRun(Map.of("SPARK_CONF_DIR", conf.toString()));
    assertEquals("hdfs:///shared/setup.sh," + DISCOVERY, after(fromDefaults, "--files"));
  }

  @Test
  void aPropertiesFileReplacesTheDefaultsAsSparkSubmitReadsIt() throws Exception {
    Path conf = confDir("spark.executor.cores 4");
    Path mine = dir.resolve("mine.conf");
    Files.write(mine, List.of("spark.executor.memoryOverhead 2g"));
    List<String> args = dryRun(Map.of("SPARK_CONF_DIR", conf.toString()), "--properties-file", mine.toString());
    Map<String, String> c = confs(args);
    assertEquals("8", c.get("spark.executor.cores"), "spark-submit ignores spark-defaults.conf given a file");
    assertFalse(c.containsKey("spark.executor.memoryOverhead"));
    assertEquals(mine.toString(), after(args, "--properties-file"));
  }

  @Test
  void cpuClustersAndRapids() throws Exception {
    List<String> cpu = dryRun(Map.of("M3SPARK_GPU", "0"));
    assertTrue(confs(cpu).keySet().stream().noneMatch(k -> k.contains(".resource.gpu.")), confs(cpu).toString());
    assertFalse(cpu.contains("--files"));
    List<String> rapids = dryRun(Map.of("M3SPARK_RAPIDS_JAR", "/opt/rapids.jar"), "--jars", "a.jar");
    assertEquals("a.jar,/opt/rapids.jar", after(rapids, "--jars"));
    assertEquals("com.nvidia.spark.SQLPlugin", confs(rapids).get("spark.plugins"));
  }

  @Test
  void sparkSubmitItselfSeesTheMergedProperties() throws Exception {
    Path conf = confDir("spark.executor.cores 3", "spark.master local[1]");
    ProcessBuilder pb = new ProcessBuilder(SUBMIT.toString(), "--verbose", "--conf", "spark.ui.enabled=false", "--",
        "--help").redirectErrorStream(true);
    pb.environment().put("SPARK_HOME", sparkHome.toString());
    pb.environment().put("SPARK_CONF_DIR", conf.toString());
    pb.environment().put("M3SPARK_GPU", "0");
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
    // spark-submit --verbose lists the properties it will run with, one "(key,value)" per line
    assertTrue(out.contains("(spark.executor.cores,3)"), out);
    assertTrue(out.contains("(spark.executor.memoryOverhead,8g)"), out);
    assertTrue(out.contains("usage: m3spark"), out);
  }
}
