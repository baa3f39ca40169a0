package io.m3spark.jobs.evaluate;

import io.m3spark.eval.EvaluationOptions;
import io.m3spark.eval.EvaluationResult;
import io.m3spark.eval.Evaluator;
import io.m3spark.eval.PerQueryJsonlWriter;
import io.m3spark.eval.Qrels;
import io.m3spark.eval.RunFormat;
import io.m3spark.io.OutputFolder;
import io.m3spark.jobs.embed.EmbedSettings;
import io.m3spark.jobs.embed.EmbeddedRecord;
import io.m3spark.jobs.embed.RecordEmbedder;
import io.m3spark.jobs.embed.TextComposer;
import io.m3spark.jobs.embed.TextRecord;
import io.m3spark.jobs.search.CandidateReranker;
import io.m3spark.jobs.search.DistributedSearch;
import io.m3spark.jobs.search.SparseSearch;
import io.m3spark.jobs.spark.ExecutorModels;
import io.m3spark.jobs.spark.ModelSpec;
import io.m3spark.jobs.spark.StageClock;
import io.m3spark.jobs.spark.TaskDevices;
import io.m3spark.search.Hit;
import io.m3spark.search.SearchOptions;
import io.m3spark.search.RetrievalMode;
import io.m3spark.text.InstructionFormat;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * {@code m3spark evaluate}: FlagEmbedding's custom evaluation (behaviour spec §5) on Spark, for every model and
 * retrieval mode asked for, on any split.
 *
 * <ol>
 *   <li>digest the inputs and read the qrels (a missing or bad file fails before any model loads);</li>
 *   <li>per model: its fingerprint (one task loads it into the executor model cache), then per split and mode the
 *       cached search results when their {@link CacheKey} matches; otherwise embed (corpus once per model, from
 *       {@code corpus_embd_save_dir} when its key matches; queries with the instruction) and retrieve: dense by
 *       {@link DistributedSearch}, sparse by {@link SparseSearch}, colbert / dense+sparse / all by
 *       {@link CandidateReranker} over the union of the dense and sparse top {@code search_top_k};</li>
 *   <li>{@code ignore_identical_ids} drops hits whose docid is the qid after the cut; the results are written in
 *       FlagEmbedding's search-results JSON and scored from that file by {@link Evaluator} (trec_eval semantics);</li>
 *   <li>the aggregate report covers every result row found under {@code output_dir}.</li>
 * </ol>
 */
public final class EvaluateJob {
  private static final Logger LOG = LoggerFactory.getLogger(EvaluateJob.class);

  private final SparkSession spark;
  private final JavaSparkContext sc;
  private final EvaluateArgs args;
  private final EvalDataset data;
  private final OutputFolder output;
  private final StageClock clock = new StageClock();
  private final int partitions;
  private final Map<String, Map<String, EvaluationResult>> results = new LinkedHashMap<>();
  private long passagesEmbedded;
  private long queriesEmbedded;

  private EvaluateJob(SparkSession spark, EvaluateArgs args, OutputFolder output) {
    this.spark = spark;
    this.sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    this.args = args;
    this.data = new EvalDataset(args.datasetDir, sc.hadoopConfiguration());
    this.output = output;
    this.partitions = args.numPartitions > 0 ? args.numPartitions : Math.max(1, sc.defaultParallelism());
  }

  /** Runs the evaluation; {@code output_dir} and {@code eval_output_path} may be paths or Hadoop URIs. */
  public static EvaluateResult run(SparkSession spark, EvaluateArgs args) throws IOException {
    try (OutputFolder output = OutputFolder.open(args.outputDir, spark.sparkContext().hadoopConfiguration())) {
      return new EvaluateJob(spark, args, output).run();
    }
  }

  private EvaluateResult run() throws IOException {
    LOG.info(TaskDevices.describe(sc.sc(), args.devices));
    Configuration conf = sc.hadoopConfiguration();
    if (args.corpusEmbdSaveDir != null) {
      CorpusEmbeddingCache.checkReplaceable(args,
          args.embedderNameOrPath.stream().map(EvaluateJob::modelFolderName).toList(), conf);
    }
    String corpusDigest = ContentDigest.of(data.corpusFile(), conf);
    Map<String, String> queryDigests = new LinkedHashMap<>();
    Map<String, Qrels> qrels = new LinkedHashMap<>();
    for (String split : args.splits) {
      queryDigests.put(split, ContentDigest.of(data.queriesFile(split), conf));
      qrels.put(split, data.qrels(split));
    }
    clock.stage("read inputs");
    for (String model : args.embedderNameOrPath) {
      new ModelEvaluation(model, corpusDigest).run(queryDigests, qrels);
    }
    AggregateReport.write(output, args.evalOutputMethod, args.evalMetrics, args.evalOutputPath, conf);
    clock.stage("report");
    LOG.info("evaluation done: {}", clock);
    return new EvaluateResult(results, passagesEmbedded, queriesEmbedded, clock.seconds(), args.evalOutputPath);
  }

  /** The folder name results are filed under: the last segment of the model flag, without a Hub revision. */
  static String modelFolderName(String nameOrPath) {
    String trimmed = nameOrPath.replaceAll("/+$", "");
    String last = trimmed.substring(trimmed.lastIndexOf('/') + 1);
    int at = last.indexOf('@');
    return at > 0 ? last.substring(0, at) : last;
  }

  /** The result row of a model and mode: the model's folder name for dense (as FlagEmbedding), else {@code name[mode]}. */
  static String rowName(String modelFolder, RetrievalMode mode) {
    return mode == RetrievalMode.DENSE ? modelFolder : modelFolder + "[" + mode.label() + "]";
  }

  /** One model's evaluation over every split and mode; embeddings are computed at most once and only when needed. */
  private final class ModelEvaluation {
    private final String model;
    private final String folderName;
    private final ModelSpec spec;
    private final boolean sparse;
    private final boolean colbert;
    private final CacheKey modelKey;
    private final String corpusDigest;
    private JavaRDD<EmbeddedRecord> corpus;

    ModelEvaluation(String model, String corpusDigest) {
      this.model = model;
      this.folderName = modelFolderName(model);
      this.spec = ModelSpec.of(model, args.useFp16, args.initNewHeads, args.cacheDir, sc.getConf());
      List<RetrievalMode> modes = args.modes();
      this.sparse = modes.stream().anyMatch(m -> m.usesSparse() || m.reranksCandidates());
      this.colbert = modes.stream().anyMatch(RetrievalMode::usesColbert);
      this.corpusDigest = corpusDigest;
      this.modelKey = CacheKey.empty().with("model_fingerprint", fingerprint()).with("use_fp16", args.useFp16)
          .with("pooling_method", "cls").with("normalize_embeddings", true)
          .with("passage_max_length", args.embedderPassageMaxLength).with("corpus", corpusDigest);
      clock.stage("load model");
    }

    /** The fingerprint of the model as the executors load it (one task; the model stays in that JVM's cache). */
    private String fingerprint() {
      ModelSpec s = spec;
      List<String> devices = List.copyOf(args.devices);
      String f = sc.parallelize(List.of(0), 1)
          .map(x -> ExecutorModels.get(s, TaskDevices.forCurrentTask(devices)).model().fingerprint()).first();
      LOG.info("model {} has fingerprint {}", model, f);
      return f;
    }

    void run(Map<String, String> queryDigests, Map<String, Qrels> qrels) throws IOException {
      Map<String, Map<String, Map<String, Double>>> metricsByRow = new LinkedHashMap<>();
      for (String split : args.splits) {
        CacheKey splitKey = modelKey.with("queries", queryDigests.get(split))
            .with("query_max_length", args.embedderQueryMaxLength)
            .with("query_instruction", args.queryInstructionForRetrieval)
            .with("query_instruction_format", args.queryInstructionFormatForRetrieval)
            .with("search_top_k", args.searchTopK).with("ignore_identical_ids", args.ignoreIdenticalIds);
        Map<RetrievalMode, CacheKey> stale = new LinkedHashMap<>();
        for (RetrievalMode mode : args.modes()) {
          CacheKey key = splitKey.with("retrieval_mode", mode.label());
          if (mode == RetrievalMode.DENSE_SPARSE || mode == RetrievalMode.ALL) {
            key = key.with("weights_for_different_modes", Arrays.toString(args.weights()));
          }
          if (!cacheIsValid(new ResultsFolder(output, rowName(folderName, mode)), split, key)) {
            stale.put(mode, key);
          }
        }
        if (!stale.isEmpty()) {
          search(split, stale);
        }
        for (RetrievalMode mode : args.modes()) {
          ResultsFolder folder = new ResultsFolder(output, rowName(folderName, mode));
          EvaluationResult result = evaluate(folder, split, qrels.get(split));
          results.computeIfAbsent(folder.name(), r -> new LinkedHashMap<>()).put(split, result);
          metricsByRow.computeIfAbsent(folder.name(), r -> new LinkedHashMap<>()).put(split, result.rounded());
        }
        clock.stage("evaluate");
      }
      for (Map.Entry<String, Map<String, Map<String, Double>>> row : metricsByRow.entrySet()) {
        new ResultsFolder(output, row.getKey()).writeEvalResults(row.getValue());
      }
      if (corpus != null) {
        corpus.unpersist(false);
      }
    }

    private boolean cacheIsValid(ResultsFolder folder, String split, CacheKey key) throws IOException {
      if (args.overwrite) {
        LOG.info("{} {}: --overwrite, searching again", folder.name(), split);
        return false;
      }
      CacheKey stored = folder.cacheKeys().get(split);
      if (stored == null || !folder.hasSearchResults(split)) {
        LOG.info("{} {}: no cached search results, searching", folder.name(), split);
        return false;
      }
      List<String> differ = key.differences(stored);
      if (!differ.isEmpty()) {
        LOG.info("{} {}: cached search results were computed with different {}, searching again", folder.name(), split,
            differ);
        return false;
      }
      LOG.info("{} {}: reusing the cached search results {}", folder.name(), split,
          folder.searchResultsLocation(split));
      return true;
    }

    /** Embeds what is missing and writes the search results of the stale modes. */
    private void search(String split, Map<RetrievalMode, CacheKey> stale) throws IOException {
      JavaRDD<EmbeddedRecord> passages = corpus();
      TextComposer composer = new TextComposer(true, args.queryInstructionForRetrieval,
          args.queryInstructionFormatForRetrieval);
      JavaRDD<EmbeddedRecord> queries = embed(data.queries(sc, split, composer), args.embedderQueryMaxLength);
      queriesEmbedded += queries.count();
      List<String> qids = queries.map(EmbeddedRecord::id).collect();
      clock.stage("embed queries");

      boolean candidates = stale.keySet().stream().anyMatch(RetrievalMode::reranksCandidates);
      JavaPairRDD<String, Hit[]> dense = stale.containsKey(RetrievalMode.DENSE) || candidates
          ? denseSearch(passages, queries).persist(StorageLevel.MEMORY_AND_DISK()) : null;
      JavaPairRDD<String, Hit[]> lexical = stale.containsKey(RetrievalMode.SPARSE) || candidates
          ? SparseSearch.search(passages, queries, args.searchTopK, partitions).persist(StorageLevel.MEMORY_AND_DISK())
          : null;
      Map<RetrievalMode, JavaPairRDD<String, Hit[]>> hitsByMode = new LinkedHashMap<>();
      if (candidates) {
        List<RetrievalMode> reranked = stale.keySet().stream().filter(RetrievalMode::reranksCandidates).toList();
        Map<String, EmbeddedRecord> queryRecords = new HashMap<>(
            queries.mapToPair(q -> new Tuple2<>(q.id(), q)).collectAsMap());
        hitsByMode.putAll(CandidateReranker.rerank(sc, passages, queryRecords, union(dense, lexical), reranked,
            args.weights(), args.searchTopK, partitions, List.copyOf(args.devices)));
      }
      if (dense != null) {
        hitsByMode.put(RetrievalMode.DENSE, dense);
      }
      if (lexical != null) {
        hitsByMode.put(RetrievalMode.SPARSE, lexical);
      }
      for (Map.Entry<RetrievalMode, CacheKey> e : stale.entrySet()) {
        RetrievalMode mode = e.getKey();
        Map<String, Hit[]> byQid = new HashMap<>(hitsByMode.get(mode).collectAsMap());
        if (args.ignoreIdenticalIds) {
          byQid.replaceAll((qid, list) -> Arrays.stream(list).filter(h -> !h.docid().equals(qid)).toArray(Hit[]::new));
        }
        new ResultsFolder(output, rowName(folderName, mode))
            .writeSearchResults(args.evalName, split, qids, byQid, e.getValue());
        clock.stage("search " + mode.label());
      }
      for (JavaPairRDD<?, ?> cached : Arrays.asList(dense, lexical)) {
        if (cached != null) {
          cached.unpersist(false);
        }
      }
      queries.unpersist(false);
    }

    private JavaPairRDD<String, Hit[]> denseSearch(JavaRDD<EmbeddedRecord> passages, JavaRDD<EmbeddedRecord> queries) {
      SearchOptions options = new SearchOptions(SearchOptions.DEFAULT_QUERY_BLOCK_SIZE,
          SearchOptions.DEFAULT_CORPUS_SHARD_SIZE, false);
      return DistributedSearch.search(spark, passages.map(p -> new Tuple2<>(p.id(), p.dense())),
              queries.map(q -> new Tuple2<>(q.id(), q.dense())), args.searchTopK, options, List.copyOf(args.devices))
          .mapToPair(t -> new Tuple2<>(t._2().qid(), t._2().hits()));
    }

    /** Each query's dense and sparse candidates, each (qid, docid) once. */
    private JavaPairRDD<String, String> union(JavaPairRDD<String, Hit[]> dense, JavaPairRDD<String, Hit[]> lexical) {
      return dense.union(lexical)
          .flatMapToPair(t -> Arrays.stream(t._2()).map(h -> new Tuple2<>(t._1(), h.docid())).iterator())
          .distinct(partitions);
    }

    /** The corpus embeddings: from the cache when valid, else embedded (and cached when a save dir is set). */
    private JavaRDD<EmbeddedRecord> corpus() throws IOException {
      if (corpus != null) {
        return corpus;
      }
      CacheKey key = modelKey.with("sparse", sparse).with("colbert", colbert);
      CorpusEmbeddingCache cache = args.corpusEmbdSaveDir == null ? null
          : new CorpusEmbeddingCache(args.corpusEmbdSaveDir, folderName, sc.hadoopConfiguration());
      if (cache != null && !args.overwrite) {
        corpus = cache.load(sc, key);
      }
      if (corpus != null) {
        corpus = corpus.persist(StorageLevel.MEMORY_AND_DISK());
        LOG.info("{} cached passages", corpus.count());
      } else {
        corpus = embed(data.corpus(sc), args.embedderPassageMaxLength);
        passagesEmbedded += corpus.count();
        if (cache != null) {
          cache.save(corpus, key);
        }
      }
      clock.stage("embed corpus");
      return corpus;
    }

    private JavaRDD<EmbeddedRecord> embed(JavaRDD<TextRecord> records, int maxLength) {
      EmbedSettings settings = new EmbedSettings(spec, List.copyOf(args.devices), maxLength, args.embedderBatchSize,
          (long) args.embedderBatchSize * maxLength, true, sparse, colbert, "cls", true);
      return RecordEmbedder.embed(sc, records.mapToPair(r -> new Tuple2<>(r.order(), r)), settings, partitions)
          .persist(StorageLevel.MEMORY_AND_DISK());
    }

    private EvaluationResult evaluate(ResultsFolder folder, String split, Qrels qrels) throws IOException {
      Evaluator evaluator = new Evaluator(EvaluationOptions.defaults().withKValues(args.kValues));
      EvaluationResult result;
      try (PerQueryJsonlWriter perQuery = new PerQueryJsonlWriter(folder.perQueryMetricsToWrite(split))) {
        result = evaluator.evaluate(qrels, folder.fetchSearchResults(split), RunFormat.FLAGEMBEDDING, perQuery);
        perQuery.commit();
      }
      folder.publishPerQueryMetrics(split);
      var counts = result.counts();
      LOG.info("{} {}: {} queries evaluated; {} without qrels (skipped), {} qrels queries not searched, {} without a "
              + "relevant document", folder.name(), split, counts.evaluated(), counts.runQueriesWithoutQrels(),
          counts.qrelsQueriesNotInRun(), counts.withoutRelevant());
      return result;
    }
  }
}
