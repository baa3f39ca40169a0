package io.m3spark.jobs.embed;

import io.m3spark.jobs.spark.ModelSpec;
import io.m3spark.model.EncodeOptions;
import io.m3spark.model.Pooling;
import java.io.Serializable;
import java.util.List;
import java.util.Locale;
import org.apache.spark.SparkConf;

/** What executors need to embed a partition: the serialisable subset of {@link EmbedArgs}. */
public record EmbedSettings(ModelSpec model, List<String> devices, int maxLength, int batchSize,
    long maxTokensPerBatch, boolean returnDense, boolean returnSparse, boolean returnColbert, String pooling,
    boolean normalize) implements Serializable {

  public static EmbedSettings of(EmbedArgs args, SparkConf conf) {
    ModelSpec model = ModelSpec.of(args.modelNameOrPath, args.useFp16, args.initNewHeads, args.cacheDir, conf);
    return new EmbedSettings(model, List.copyOf(args.devices), args.maxLength,
        args.batchSize, args.effectiveMaxTokensPerBatch(), args.returnDense, args.returnSparse, args.returnColbertVecs,
        args.poolingMethod, args.normalizeEmbeddings);
  }

  public EncodeOptions encodeOptions() {
    return EncodeOptions.builder().maxLength(maxLength).returnDense(returnDense).returnSparse(returnSparse)
        .returnColbert(returnColbert).pooling(Pooling.valueOf(pooling.toUpperCase(Locale.ROOT))).normalize(normalize)
        .build();
  }
}
