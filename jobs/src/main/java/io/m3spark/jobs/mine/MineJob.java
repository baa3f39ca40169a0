package io.m3spark.jobs.mine;

import io.m3spark.io.BadTrainRecord;
import io.m3spark.io.TrainRecord;
import io.m3spark.jobs.embed.EmbedSettings;
import io.m3spark.jobs.embed.EmbeddedRecord;
import io.m3spark.jobs.embed.RecordEmbedder;
import io.m3spark.jobs.embed.TextComposer;
import io.m3spark.jobs.embed.TextRecord;
import io.m3spark.jobs.search.DistributedSearch;
import io.m3spark.jobs.spark.ModelSpec;
import io.m3spark.jobs.spark.StageClock;
import io.m3spark.jobs.spark.TaskDevices;
import io.m3spark.mining.Candidate;
import io.m3spark.mining.MinedNegatives;
import io.m3spark.mining.MiningOptions;
import io.m3spark.mining.MiningReport;
import io.m3spark.mining.MiningStats;
import io.m3spark.mining.NegativeSampler;
import io.m3spark.mining.TopUpPool;
import io.m3spark.search.Hit;
import io.m3spark.search.SearchOptions;
import io.m3spark.text.InstructionFormat;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.Optional;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;
import scala.Tuple3;

/**
 * {@code m3spark mine}: FlagEmbedding's hard-negative mining (behaviour spec §1.2) on Spark.
 *
 * <ol>
 *   <li>read and validate the training records (file:line for each bad one; fail, or quarantine with
 *       {@code --skip_bad_records});</li>
 *   <li>corpus: distinct input pos ∪ neg, or the candidate pool alone ({@link MiningCorpus});</li>
 *   <li>embed corpus passages (no instruction) and queries (with the instruction format): dense CLS, normalised, on the
 *       executors with the embed job's model cache and batching ({@link RecordEmbedder});</li>
 *   <li>exact top-b search ({@link DistributedSearch});</li>
 *   <li>per record, the seeded {@link NegativeSampler} (slice [a, b), exclusions, filters, sampling, top-up);</li>
 *   <li>write the records in input order with {@code neg} replaced, stale scores dropped or (with {@code --add_scores})
 *       rewritten as dense scores, and the mining report next to the output.</li>
 * </ol>
 * The corpus texts are broadcast (the sampler maps hits to texts and draws top-ups from them); the vectors never leave
 * the executors.
 */
public final class MineJob {
  private static final Logger LOG = LoggerFactory.getLogger(MineJob.class);
  static final int BAD_RECORDS_SHOWN = 10;

  private MineJob() {}

  public static MineResult run(SparkSession spark, MineArgs args) throws IOException {
    MiningOptions options = args.options();
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    MinedFileWriter writer = MinedFileWriter.prepare(args.outputRule(), args.overwrite, sc.hadoopConfiguration());
    StageClock clock = new StageClock();
    LOG.info(TaskDevices.describe(sc.sc(), args.devices));
    int partitions = args.numPartitions > 0 ? args.numPartitions : Math.max(1, sc.defaultParallelism());

    // 1. Read.
    TrainingInput input = TrainingInput.read(sc, args.inputFile, sc.hadoopConfiguration());
    JavaPairRDD<Long, TrainRecord> records = input.good().persist(StorageLevel.MEMORY_AND_DISK());
    List<BadTrainRecord> firstBad = input.bad().take(BAD_RECORDS_SHOWN);
    long badCount = firstBad.isEmpty() ? 0 : input.bad().count();
    if (badCount > 0 && !args.skipBadRecords) {
      StringBuilder message = new StringBuilder(badCount + " bad training records (pass --skip_bad_records to "
          + "quarantine them and mine the rest):");
      firstBad.forEach(b -> message.append("\n  ").append(b.describe()));
      throw new IllegalArgumentException(message.toString());
    }
    long recordCount = records.count();
    if (recordCount == 0) {
      throw new IllegalArgumentException("--input_file has no training records");
    }
    clock.stage("read");

    // 2. Corpus, and every text that needs a vector: the corpus, then positives outside it when they must be scored.
    List<String> corpus = args.candidatePool == null ? MiningCorpus.fromRecords(records)
        : MiningCorpus.fromPool(sc, args.candidatePool, sc.hadoopConfiguration());
    int corpusSize = corpus.size();
    // Positives' dense scores drive the margin filters and --add_scores, and give the report its positive-score
    // distribution. Without a candidate pool every positive is a corpus text already embedded, so scoring is only a join.
    boolean scorePositives = options.usesPositiveScores() || options.addScores() || args.candidatePool == null;
    List<String> texts = new ArrayList<>(corpus);
    Map<String, Integer> textIndex = new HashMap<>();
    for (int i = 0; i < texts.size(); i++) {
      textIndex.putIfAbsent(texts.get(i), i);
    }
    if (scorePositives && args.candidatePool != null) {
      for (String p : records.values().flatMap(r -> r.pos().iterator()).distinct().collect()) {
        if (textIndex.putIfAbsent(p, texts.size()) == null) {
          texts.add(p);
        }
      }
    }
    warnIfCorpusIsSmall(corpusSize, options);
    Broadcast<List<String>> corpusTexts = sc.broadcast(List.copyOf(corpus));
    Broadcast<Map<String, Integer>> indexOfText = sc.broadcast(textIndex);

    // 3. Embed: passages without instruction, queries with it (spec §1.2 step 3).
    EmbedSettings passageSettings = settings(args, args.embedderPassageMaxLength, sc);
    List<Tuple2<Long, TextRecord>> textRecords = new ArrayList<>(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      textRecords.add(new Tuple2<>((long) i, new TextRecord(i, MiningCorpus.docid(i), texts.get(i), null)));
    }
    JavaPairRDD<Long, float[]> textVectors =
        embed(sc, sc.parallelizePairs(textRecords, partitions), passageSettings, partitions);
    long embeddedTexts = textVectors.count();
    clock.stage("embed corpus");
    LOG.info("embedded {} corpus texts ({} searchable)", embeddedTexts, corpusSize);

    TextComposer queryText = new TextComposer(true, args.queryInstructionForRetrieval,
        args.queryInstructionFormatForRetrieval);
    JavaPairRDD<Long, float[]> queryVectors = embed(sc, records.mapToPair(r -> new Tuple2<>(r._1(),
        new TextRecord(r._1(), Long.toString(r._1()), queryText.compose(r._2().query(), null), null))),
        settings(args, args.embedderQueryMaxLength, sc), partitions);
    queryVectors.count();
    clock.stage("embed queries");

    // 4. Search the corpus (not the extra positives) for the top b of every query.
    JavaRDD<Tuple2<String, float[]>> searchable = textVectors.filter(t -> t._1() < corpusSize)
        .map(t -> new Tuple2<>(MiningCorpus.docid(t._1()), t._2()));
    JavaRDD<Tuple2<String, float[]>> queries = queryVectors.map(t -> new Tuple2<>(Long.toString(t._1()), t._2()));
    SearchOptions searchOptions = new SearchOptions(SearchOptions.DEFAULT_QUERY_BLOCK_SIZE,
        SearchOptions.DEFAULT_CORPUS_SHARD_SIZE, args.useGpuForSearching);
    JavaPairRDD<Long, Hit[]> hits = DistributedSearch.search(spark, searchable, queries, options.topK(), searchOptions,
        args.devices).mapToPair(t -> new Tuple2<>(Long.parseLong(t._2().qid()), t._2().hits()))
        .persist(StorageLevel.MEMORY_AND_DISK());
    hits.count();
    clock.stage("search");

    // 5. Sample.
    JavaPairRDD<Long, List<Float>> positiveScores = scorePositives
        ? positiveScores(records, textVectors, queryVectors, indexOfText)
        : sc.parallelizePairs(List.<Tuple2<Long, List<Float>>>of());
    JavaPairRDD<Long, Tuple3<TrainRecord, MinedNegatives, List<Float>>> mined = records.join(hits, partitions)
        .leftOuterJoin(positiveScores)
        .mapPartitionsToPair(it -> {
          NegativeSampler sampler = new NegativeSampler(options);
          TopUpPool pool = TopUpPool.of(corpusTexts.value());
          List<Tuple2<Long, Tuple3<TrainRecord, MinedNegatives, List<Float>>>> out = new ArrayList<>();
          while (it.hasNext()) {
            Tuple2<Long, Tuple2<Tuple2<TrainRecord, Hit[]>, Optional<List<Float>>>> t = it.next();
            TrainRecord record = t._2()._1()._1();
            List<Float> posScores = t._2()._2().orElse(null);
            List<Candidate> ranked = new ArrayList<>();
            for (Hit h : t._2()._1()._2()) {
              ranked.add(new Candidate(corpusTexts.value().get(Integer.parseInt(h.docid())), h.score()));
            }
            out.add(new Tuple2<>(t._1(), new Tuple3<>(record,
                sampler.sample(t._1(), record, ranked, posScores, pool), posScores)));
          }
          return out.iterator();
        });
    if (options.addScores()) {
      mined = withTopUpScores(mined, textVectors, queryVectors, indexOfText);
    }
    mined = mined.sortByKey(true, partitions).persist(StorageLevel.MEMORY_AND_DISK());
    MiningStats stats = mined.aggregate(new MiningStats(), (s, t) -> s.record(t._2()._2(), t._2()._3()),
        MiningStats::merge);
    clock.stage("sample");

    // 6. Write.
    boolean addScores = options.addScores();
    writer.writeOutput(mined.map(t -> t._2()._2().applyTo(t._2()._1(), t._2()._3(), addScores).toJsonLine())
        .toLocalIterator());
    writer.writeCompanion(MinedFileWriter.REPORT_JSON, List.of(MiningReport.json(stats, options)).iterator());
    writer.writeCompanion(MinedFileWriter.REPORT_MD, List.of(MiningReport.markdown(stats, options)).iterator());
    if (badCount > 0) {
      writer.writeCompanion(MinedFileWriter.QUARANTINE, input.bad().map(MineJob::quarantineLine).toLocalIterator());
      LOG.warn("{} bad records quarantined in {}{}", badCount, writer.output(), MinedFileWriter.QUARANTINE);
    }
    clock.stage("write");
    List<String> warnings = MiningReport.warnings(stats, options);
    warnings.forEach(LOG::warn);
    LOG.info("mined {} records in {}: {}", recordCount, writer.output(), clock);
    for (JavaPairRDD<?, ?> cached : List.of(records, textVectors, queryVectors, hits, mined)) {
      cached.unpersist(false);
    }
    return new MineResult(recordCount, badCount, corpusSize, writer.output().toString(), warnings, clock.seconds());
  }

  private static EmbedSettings settings(MineArgs args, int maxLength, JavaSparkContext sc) {
    // hn_mine's embedding: fp32, dense only, CLS pooling, L2-normalised (spec §1.2 step 3).
    ModelSpec model = ModelSpec.of(args.modelNameOrPath, false, false, null, sc.getConf());
    return new EmbedSettings(model, List.copyOf(args.devices), maxLength, args.batchSize,
        (long) args.batchSize * maxLength, true, false, false, "cls", true);
  }

  /** Embeds records with the embed job's machinery; returns index → dense vector, cached. */
  private static JavaPairRDD<Long, float[]> embed(JavaSparkContext sc, JavaPairRDD<Long, TextRecord> records,
      EmbedSettings settings, int partitions) {
    return RecordEmbedder.embed(sc, records, settings, partitions)
        .mapToPair((EmbeddedRecord r) -> new Tuple2<>(r.order(), r.dense()))
        .persist(StorageLevel.MEMORY_AND_DISK());
  }

  private static JavaPairRDD<Long, List<Float>> positiveScores(JavaPairRDD<Long, TrainRecord> records,
      JavaPairRDD<Long, float[]> textVectors, JavaPairRDD<Long, float[]> queryVectors,
      Broadcast<Map<String, Integer>> indexOfText) {
    JavaPairRDD<Long, Integer> positiveCounts = records.mapValues(r -> r.pos().size());
    JavaPairRDD<Long, Tuple2<Long, Integer>> wanted = records.flatMapToPair(r -> {
      List<Tuple2<Long, Tuple2<Long, Integer>>> out = new ArrayList<>();
      List<String> pos = r._2().pos();
      for (int j = 0; j < pos.size(); j++) {
        out.add(new Tuple2<>((long) indexOfText.value().get(pos.get(j)), new Tuple2<>(r._1(), j)));
      }
      return out.iterator();
    });
    return DenseScores.score(wanted, textVectors, queryVectors).join(positiveCounts)
        .mapValues(t -> aligned(t._1(), t._2()));
  }

  private static JavaPairRDD<Long, Tuple3<TrainRecord, MinedNegatives, List<Float>>> withTopUpScores(
      JavaPairRDD<Long, Tuple3<TrainRecord, MinedNegatives, List<Float>>> mined, JavaPairRDD<Long, float[]> textVectors,
      JavaPairRDD<Long, float[]> queryVectors, Broadcast<Map<String, Integer>> indexOfText) {
    JavaPairRDD<Long, Tuple2<Long, Integer>> wanted = mined.flatMapToPair(t -> {
      List<Tuple2<Long, Tuple2<Long, Integer>>> out = new ArrayList<>();
      List<String> topUps = t._2()._2().topUps();
      for (int j = 0; j < topUps.size(); j++) {
        out.add(new Tuple2<>((long) indexOfText.value().get(topUps.get(j)), new Tuple2<>(t._1(), j)));
      }
      return out.iterator();
    });
    return mined.leftOuterJoin(DenseScores.score(wanted, textVectors, queryVectors)).mapValues(t -> {
      MinedNegatives m = t._1()._2();
      List<Float> scores = aligned(t._2().orElse(Map.of()), m.topUpCount());
      return new Tuple3<>(t._1()._1(), m.withTopUpScores(scores), t._1()._3());
    });
  }

  private static List<Float> aligned(Map<Integer, Float> bySlot, int size) {
    List<Float> out = new ArrayList<>(size);
    for (int j = 0; j < size; j++) {
      out.add(bySlot.getOrDefault(j, Float.NaN));
    }
    return out;
  }

  private static void warnIfCorpusIsSmall(int corpusSize, MiningOptions options) {
    if (corpusSize <= options.rangeStart()) {
      LOG.warn("the corpus has {} distinct texts, no more than the {} top hits that --range_for_sampling {} skips: no "
          + "negative can be mined, and the top-up never picks the skipped top hits, so records get fewer than "
          + "--negative_number negatives (see the report); use a lower range start or a larger corpus (--candidate_pool)", corpusSize, options.rangeStart(), options.range());
    } else if (corpusSize < options.rangeEnd()) {
      LOG.info("the corpus has {} distinct texts, fewer than the range end {}: sampling from positions {}-{}",
          corpusSize, options.rangeEnd(), options.rangeStart(), corpusSize);
    }
  }

  private static String quarantineLine(BadTrainRecord bad) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("file", bad.file());
    line.put("line", bad.line());
    line.put("field", bad.field());
    line.put("reason", bad.reason());
    line.put("raw", bad.raw());
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(line);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
