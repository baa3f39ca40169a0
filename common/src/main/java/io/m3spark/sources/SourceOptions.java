package io.m3spark.sources;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * What model resolution depends on besides the name: FlagEmbedding's {@code --cache_dir}, the environment (read as a
 * map so tests and Spark jobs can supply their own) and extra Hadoop properties (e.g. the job's
 * {@code spark.hadoop.*} settings without the prefix). Plain strings only, so it can travel to executors in a closure.
 *
 * @param cacheDir the {@code --cache_dir} flag, or null when not given
 * @param env environment variables ({@code HF_*}, {@code M3SPARK_MODEL_CACHE}, {@code HOME}...)
 * @param hadoopProperties set on the Hadoop {@code Configuration} used for Hadoop URIs
 */
public record SourceOptions(String cacheDir, Map<String, String> env, Map<String, String> hadoopProperties)
    implements Serializable {

  /** Where copies of remote (Hadoop) model folders go unless {@code M3SPARK_MODEL_CACHE} says otherwise. */
  static final String DEFAULT_COPY_CACHE = ".cache/m3spark/models";

  public SourceOptions {
    env = Map.copyOf(env);
    hadoopProperties = Map.copyOf(hadoopProperties);
  }

  /** The process environment, no {@code --cache_dir}, no extra Hadoop properties. */
  public static SourceOptions fromEnvironment() {
    return new SourceOptions(null, System.getenv(), Map.of());
  }

  /** A copy with {@code --cache_dir} set (null to unset). */
  public SourceOptions withCacheDir(String dir) {
    return new SourceOptions(dir, env, hadoopProperties);
  }

  /** A copy with these Hadoop properties. */
  public SourceOptions withHadoopProperties(Map<String, String> properties) {
    return new SourceOptions(cacheDir, env, properties);
  }

  /** The {@code --cache_dir} flag as a path. */
  public Optional<Path> cacheDirPath() {
    return Optional.ofNullable(cacheDir).filter(s -> !s.isBlank()).map(Path::of);
  }

  /** An environment variable, empty when unset or blank. */
  public Optional<String> getenv(String name) {
    return Optional.ofNullable(env.get(name)).filter(s -> !s.isBlank());
  }

  /** The user's home: {@code HOME} from {@link #env}, else the JVM's {@code user.home}. */
  public Path home() {
    return Path.of(getenv("HOME").orElse(System.getProperty("user.home")));
  }

  /** A Hadoop Configuration: the cluster's *-site.xml files on the classpath plus {@link #hadoopProperties}. */
  public org.apache.hadoop.conf.Configuration hadoopConfiguration() {
    org.apache.hadoop.conf.Configuration conf = new org.apache.hadoop.conf.Configuration();
    hadoopProperties.forEach(conf::set);
    return conf;
  }

  /** Where copies of Hadoop model folders are cached: {@code M3SPARK_MODEL_CACHE}, else {@code ~/.cache/m3spark/models}. */
  public Path copyCacheDir() {
    return getenv("M3SPARK_MODEL_CACHE").map(Path::of).orElseGet(() -> home().resolve(DEFAULT_COPY_CACHE));
  }
}
