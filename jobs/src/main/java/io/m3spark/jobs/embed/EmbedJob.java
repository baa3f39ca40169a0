package io.m3spark.jobs.embed;

import io.m3spark.cli.Cli;
import io.m3spark.jobs.spark.DeviceStages;
import io.m3spark.jobs.spark.ExecutorModels;
import io.m3spark.jobs.spark.TaskDevices;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * {@code m3spark embed}: BGE-M3 embeddings of a JSONL/Parquet corpus or query set, computed on the executors.
 *
 * <ol>
 *   <li>Read and validate every record (file and line for each problem), find repeated ids; stop here with the first bad
 *       records listed, unless {@code --skip_bad_records}.</li>
 *   <li>Range-partition the good records by input position (so partition order is input order), embed each partition
 *       with this JVM's shared model ({@link PartitionEmbedder}), cache the result.</li>
 *   <li>Write the embeddings (Parquet or JSONL, part files in input order), {@code dense.npy}, {@code ids.txt},
 *       {@code quarantine.jsonl} and {@code _embed.json} into a temporary folder, then rename it to {@code --output}.</li>
 * </ol>
 * Partitions: {@code --num_partitions}, or max(default parallelism, ceil(texts / 10,000)), or ceil(texts / 1,000) when
 * ColBERT vectors are kept, since a partition is also the unit sorted by length and held in memory with its results.
 */
public final class EmbedJob {
  private static final Logger LOG = LoggerFactory.getLogger(EmbedJob.class);

  static final int TEXTS_PER_PARTITION = 10_000;
  static final int TEXTS_PER_PARTITION_WITH_COLBERT = 1_000;
  static final int BAD_RECORDS_SHOWN = 10;
  static final String EMBEDDINGS = "embeddings";
  static final long PROGRESS_INTERVAL_MILLIS = 5_000;

  private EmbedJob() {}

  public static void main(String[] args) {
    String[] withCommand = new String[args.length + 1];
    withCommand[0] = "embed";
    System.arraycopy(args, 0, withCommand, 1, args.length);
    System.exit(new Cli(List.of(new EmbedCommand())).run(withCommand, System.out, System.err));
  }

  public static EmbedResult run(SparkSession spark, EmbedArgs args) throws IOException {
    long start = System.nanoTime();
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Configuration hadoopConf = sc.hadoopConfiguration();
    OutputDirectory output = OutputDirectory.prepare(args.outputRule(), args.overwrite, hadoopConf);
    EmbedSettings settings = EmbedSettings.of(args, sc.getConf());
    LOG.info(TaskDevices.describe(sc.sc(), args.devices));
    if (sc.isLocal()) {
      // The driver is the executor: loading the model now costs nothing later (tasks reuse it) and a missing or corrupt
      // model fails before any input is read.
      ExecutorModels.get(settings.model(), TaskDevices.forCurrentTask(settings.devices()));
    }

    // 1. Read and check.
    JavaRDD<ParsedRecord> parsed = read(spark, sc, InputFiles.resolve(args.input, hadoopConf), TextComposer.of(args))
        .persist(StorageLevel.MEMORY_AND_DISK());
    JavaRDD<TextRecord> valid = parsed.filter(ParsedRecord::isGood).map(ParsedRecord::good);
    JavaRDD<BadRecord> invalid = parsed.filter(r -> !r.isGood()).map(ParsedRecord::bad);
    JavaRDD<BadRecord> duplicates = DuplicateIds.find(valid).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      long read = parsed.count();
      long invalidCount = invalid.count();
      long duplicateCount = duplicates.count();
      long badCount = invalidCount + duplicateCount;
      JavaRDD<BadRecord> bad = invalid.union(duplicates);
      if (badCount > 0 && !args.skipBadRecords) {
        throw new BadInputException(badCount, bad.takeOrdered(BAD_RECORDS_SHOWN, new ByOrder()));
      }
      if (badCount > 0) {
        LOG.warn("{} bad records of {} go to quarantine.jsonl ({} duplicate ids)", badCount, read, duplicateCount);
      }

      // 2. Embed.
      JavaPairRDD<Long, TextRecord> toEmbed = valid.mapToPair(r -> new Tuple2<>(r.order(), r));
      if (duplicateCount > 0) {
        toEmbed = toEmbed.subtractByKey(duplicates.mapToPair(b -> new Tuple2<>(b.order(), Boolean.TRUE)));
      }
      long count = read - badCount;
      int partitions = partitions(args, count, sc.defaultParallelism());
      LongAccumulator textsDone = sc.sc().longAccumulator("embed.texts");
      LongAccumulator tokensDone = sc.sc().longAccumulator("embed.tokens");
      CollectionAccumulator<String> fingerprints = sc.sc().collectionAccumulator("embed.fingerprints");
      JavaRDD<EmbeddedRecord> embedded = DeviceStages.separate(toEmbed.sortByKey(true, partitions)
          .mapPartitions(new PartitionEmbedder(settings, textsDone, tokensDone, fingerprints)))
          .persist(StorageLevel.MEMORY_AND_DISK()); // read three times (stats, embeddings, dense.npy); never re-embed
      try {
        LOG.info("embedding {} texts in {} partitions with {}", count, partitions, args.modelNameOrPath);
        long embedStart = System.nanoTime();
        EmbedStats stats;
        try (EmbedProgress progress = new EmbedProgress(textsDone, tokensDone, count, PROGRESS_INTERVAL_MILLIS)) {
          spark.sparkContext().addSparkListener(progress);
          try {
            stats = embedded.aggregate(EmbedStats.EMPTY, EmbedStats::add, EmbedStats::merge);
          } finally {
            spark.sparkContext().removeSparkListener(progress);
          }
        }
        double embedSeconds = (System.nanoTime() - embedStart) / 1e9;
        LOG.info(String.format(java.util.Locale.ROOT, "embedded %d texts (%d tokens) in %.1f s: %.1f texts/s, %.0f tokens/s",
            stats.texts(), stats.tokens(), embedSeconds, stats.texts() / embedSeconds, stats.tokens() / embedSeconds));
        String fingerprint = String.join(",", new TreeSet<>(fingerprints.value()));

        // 3. Write.
        long writeStart = System.nanoTime();
        output.createStaging();
        try {
          String embeddingsPath = output.staged(EMBEDDINGS).toString();
          if (args.outputFormat.equals("parquet")) {
            spark.createDataFrame(embedded.map(r -> EmbeddingParquet.row(r, settings)), EmbeddingParquet.schema(settings))
                .write().parquet(embeddingsPath);
          } else {
            embedded.map(EmbeddingJson::line).saveAsTextFile(embeddingsPath);
          }
          if (args.returnDense) {
            DenseExport.write(output.fileSystem(), output.staged("dense.npy"), output.staged("ids.txt"), stats.texts(),
                stats.denseDim(), embedded.map(r -> new Tuple2<>(r.id(), r.dense())).toLocalIterator());
          }
          if (badCount > 0) {
            QuarantineWriter.write(output.fileSystem(), output.staged("quarantine.jsonl"),
                bad.sortBy(BadRecord::order, true, Math.max(1, bad.getNumPartitions())).toLocalIterator());
          }
          EmbedResult result = new EmbedResult(read, stats.texts(), badCount, duplicateCount, stats.truncated(),
              stats.longestText(), stats.tokens(), stats.denseDim(), output.target().toString(), fingerprint,
              embedSeconds, (System.nanoTime() - start) / 1e9);
          EmbedManifest.write(output.fileSystem(), output.staged(EmbedManifest.NAME), args, result, stats, EMBEDDINGS);
          output.commit();
          LOG.info("wrote {} in {} s", output.target(), String.format(java.util.Locale.ROOT, "%.1f",
              (System.nanoTime() - writeStart) / 1e9));
          if (stats.truncated() > 0) {
            LOG.info("{} texts were longer than --max_length {} and were truncated (longest: {} tokens)",
                stats.truncated(), args.maxLength, stats.longestText());
          }
          return result;
        } catch (IOException | RuntimeException e) {
          output.abort();
          throw e;
        }
      } finally {
        embedded.unpersist(false);
      }
    } finally {
      duplicates.unpersist(false);
      parsed.unpersist(false);
    }
  }

  static int partitions(EmbedArgs args, long texts, int defaultParallelism) {
    if (args.numPartitions > 0) {
      return args.numPartitions;
    }
    int perPartition = args.returnColbertVecs ? TEXTS_PER_PARTITION_WITH_COLBERT : TEXTS_PER_PARTITION;
    long wanted = Math.max(defaultParallelism, (texts + perPartition - 1) / perPartition);
    return (int) Math.max(1, Math.min(wanted, Math.max(1, texts)));
  }

  private static JavaRDD<ParsedRecord> read(SparkSession spark, JavaSparkContext sc, List<InputFiles.InputFile> files,
      TextComposer composer) {
    List<InputFiles.InputFile> jsonl = new ArrayList<>();
    List<InputFiles.InputFile> parquet = new ArrayList<>();
    for (InputFiles.InputFile f : files) {
      (f.format() == InputFiles.Format.JSONL ? jsonl : parquet).add(f);
    }
    List<JavaRDD<ParsedRecord>> parts = new ArrayList<>();
    if (!jsonl.isEmpty()) {
      parts.add(JsonlSource.read(sc, jsonl, composer));
    }
    if (!parquet.isEmpty()) {
      parts.add(ParquetSource.read(spark, parquet, composer));
    }
    return parts.size() == 1 ? parts.get(0) : parts.get(0).union(parts.get(1));
  }

  /** Input order, for listing bad records. */
  static final class ByOrder implements Comparator<BadRecord>, Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public int compare(BadRecord a, BadRecord b) {
      return Long.compare(a.order(), b.order());
    }
  }
}
