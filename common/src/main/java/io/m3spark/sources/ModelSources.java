package io.m3spark.sources;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Entry point: turns any model flag ({@code --model_name_or_path} and the like) into a local folder. The order is a
 * local folder (or {@code file:} URI), then sources plugged in through {@link ServiceLoader} (built-in model names),
 * then a URI of a filesystem Hadoop knows ({@code hdfs://}, {@code s3a://}...), then a Hugging Face Hub id
 * {@code owner/name[@revision]}. One chain per JVM, so each executor resolves a model once.
 */
public final class ModelSources {
  private static final ModelSourceChain SHARED = new ModelSourceChain(defaultSources());

  private ModelSources() {}

  /** A local folder holding the model; see {@link ModelSourceChain#resolve}. */
  public static Path resolve(String nameOrPath, SourceOptions options) throws IOException {
    return SHARED.resolve(nameOrPath, options);
  }

  /** The default order, with whatever {@link ModelSource} implementations {@code META-INF/services} lists. */
  public static List<ModelSource> defaultSources() {
    List<ModelSource> sources = new ArrayList<>();
    sources.add(new LocalFolderSource());
    ServiceLoader.load(ModelSource.class, ModelSources.class.getClassLoader()).forEach(sources::add);
    if (hadoopOnClasspath()) {
      sources.add(new HadoopFolderSource());
    }
    sources.add(new HubModelSource());
    return sources;
  }

  /** Hadoop is provided by the cluster or Spark; without it (plain library use) Hadoop URIs are simply not recognised. */
  private static boolean hadoopOnClasspath() {
    try {
      Class.forName("org.apache.hadoop.fs.FileSystem", false, ModelSources.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }
}
