package io.m3spark.jobs.spark;

import io.m3spark.model.BuiltinModels;
import io.m3spark.model.LoadOptions;
import io.m3spark.sources.SourceOptions;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.SparkConf;
import scala.Tuple2;

/**
 * Which model a job runs and how to get it, as executors need it: the model flag as the user wrote it (a folder, a
 * Hadoop URI, a Hub id or a built-in name), the precision, whether new M3 heads may be initialised, and where model
 * sources find caches and credentials. Resolution happens on each executor, once per JVM ({@link ExecutorModels}).
 */
public record ModelSpec(String nameOrPath, boolean fp16, boolean initNewHeads, SourceOptions sources)
    implements Serializable {

  /**
   * A spec for a job's model flags. Hadoop settings ({@code spark.hadoop.*}) go along so executors read hdfs:// and
   * s3a:// model folders with the job's credentials; the environment is the driver's (HF_TOKEN, HF_HOME, ...).
   */
  public static ModelSpec of(String nameOrPath, boolean fp16, boolean initNewHeads, String cacheDir, SparkConf conf) {
    Map<String, String> hadoop = new LinkedHashMap<>();
    for (Tuple2<String, String> kv : conf.getAllWithPrefix("spark.hadoop.")) {
      hadoop.put(kv._1(), kv._2());
    }
    SourceOptions sources = SourceOptions.fromEnvironment().withCacheDir(cacheDir).withHadoopProperties(hadoop);
    return new ModelSpec(nameOrPath, fp16, initNewHeads, sources);
  }

  /** Load options for {@code device}; a built-in model without M3 heads always gets new ones, and says so in the log. */
  public LoadOptions loadOptions(ai.djl.Device device) {
    boolean newHeads = initNewHeads || BuiltinModels.requiresNewHeads(nameOrPath);
    return LoadOptions.builder().device(device).fp16(fp16).initNewHeads(newHeads).build();
  }

  /** Never print credentials that travel in the environment map. */
  @Override
  public String toString() {
    return nameOrPath + (fp16 ? " (fp16)" : "") + (initNewHeads ? " (new heads)" : "");
  }
}
