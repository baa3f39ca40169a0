package io.m3spark.jobs.testfs;

import io.m3spark.io.HadoopStore;
import io.m3spark.jobs.spark.SparkSessions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;

/**
 * The test stores as jobs see them: a local Spark session whose Hadoop configuration serves {@code m3test://} and
 * {@code m3obj://} from {@link LocalDiskFileSystem} (the latter listed as an object store), and locations on them.
 */
public final class TestStores {
  /** The Spark properties that register the stores. */
  static final Map<String, String> SPARK_PROPERTIES = Map.of(
      "spark.hadoop.fs." + LocalDiskFileSystem.SCHEME + ".impl", LocalDiskFileSystem.class.getName(),
      "spark.hadoop.fs." + LocalDiskFileSystem.WithoutRename.SCHEME + ".impl",
      LocalDiskFileSystem.WithoutRename.class.getName(),
      "spark.hadoop." + HadoopStore.OBJECT_STORE_SCHEMES, "s3a,gs," + LocalDiskFileSystem.WithoutRename.SCHEME);

  private TestStores() {}

  /** {@link SparkSessions#local} with the stores registered. */
  public static SparkSession localSession(String appName, int threads) {
    SPARK_PROPERTIES.forEach(System::setProperty); // a new SparkConf reads spark.* system properties
    try {
      return SparkSessions.local(appName, threads);
    } finally {
      SPARK_PROPERTIES.keySet().forEach(System::clearProperty);
    }
  }

  /** Every file under {@code root} (the local disk a test store serves) by relative path, with its bytes. */
  public static Map<String, byte[]> files(Path root) throws IOException {
    Map<String, byte[]> out = new TreeMap<>();
    try (Stream<Path> all = Files.walk(root)) {
      for (Path f : all.filter(Files::isRegularFile).toList()) {
        out.put(root.relativize(f).toString(), Files.readAllBytes(f));
      }
    }
    return out;
  }

  /** {@code path} under {@code scheme}: a {@code file:} URI, or a test store's {@code scheme://path}. */
  public static String on(String scheme, Path path) {
    return scheme.equals("file") ? path.toUri().toString() : scheme + "://" + path;
  }
}
