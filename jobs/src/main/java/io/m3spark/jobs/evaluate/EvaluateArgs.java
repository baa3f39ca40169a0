package io.m3spark.jobs.evaluate;

import io.m3spark.cli.CommandArgs;
import io.m3spark.cli.Flag;
import io.m3spark.cli.UsageException;
import io.m3spark.eval.EvaluationOptions;
import io.m3spark.eval.Metrics;
import io.m3spark.jobs.eval.OutputMethod;
import io.m3spark.search.RetrievalMode;
import io.m3spark.text.InstructionFormat;
import java.util.ArrayList;
import java.util.List;

/**
 * Flags of {@code m3spark evaluate}: FlagEmbedding's custom-evaluation arguments (behaviour spec §5.2) with their names
 * and defaults, plus the retrieval modes and their weights. Deviations: {@code use_fp16} defaults to false (fp16 runs
 * on GPUs only), and {@code cache_path} (FlagEmbedding's datasets cache, unused by custom data) is accepted and ignored.
 */
public final class EvaluateArgs extends CommandArgs {
  private static final long serialVersionUID = 1L;

  @Flag(name = "eval_name", help = "name of this evaluation, stored in the search-results files", required = true)
  public String evalName;

  @Flag(name = "dataset_dir", help = "folder with corpus.jsonl, {split}_queries.jsonl, {split}_qrels.jsonl "
      + "(local or any Hadoop path)")
  public String datasetDir = ".";

  @Flag(name = "splits", help = "splits to evaluate; any name with {split}_queries.jsonl and {split}_qrels.jsonl")
  public List<String> splits = new ArrayList<>(List.of("test"));

  @Flag(name = "corpus_embd_save_dir", help = "cache corpus embeddings here, keyed by model fingerprint and corpus "
      + "content (any Hadoop path)")
  public String corpusEmbdSaveDir = null;

  @Flag(name = "output_dir", help = "search results and per-model metrics: {output_dir}/{model}/NoReranker/")
  public String outputDir = "./search_results";

  @Flag(name = "search_top_k", help = "hits kept per query")
  public int searchTopK = 1000;

  @Flag(name = "cache_path", help = "FlagEmbedding's datasets cache; unused for custom data (accepted for compatibility)")
  public String cachePath = null;

  @Flag(name = "overwrite", help = "recompute embeddings and search results even when a valid cache exists")
  public boolean overwrite = false;

  @Flag(name = "ignore_identical_ids", help = "drop hits whose docid equals the qid (after the top-k cut)")
  public boolean ignoreIdenticalIds = false;

  @Flag(name = "k_values", help = "cut-offs for every metric")
  public List<Integer> kValues = new ArrayList<>(EvaluationOptions.DEFAULT_K_VALUES);

  @Flag(name = "eval_output_method", help = "aggregate report format: markdown or json")
  public OutputMethod evalOutputMethod = OutputMethod.MARKDOWN;

  @Flag(name = "eval_output_path", help = "aggregate report over every model found under output_dir")
  public String evalOutputPath = "./eval_results.md";

  @Flag(name = "eval_metrics", help = "metrics of the markdown report, e.g. ndcg_at_10")
  public List<String> evalMetrics = new ArrayList<>(List.of("ndcg_at_10", "recall_at_10"));

  @Flag(name = "embedder_name_or_path", help = "models to evaluate (folders, Hadoop folders, Hub ids or the built-in "
      + "bge-small-en-v1.5); results go under each one's folder name", required = true)
  public List<String> embedderNameOrPath = new ArrayList<>();

  @Flag(name = "embedder_model_class", help = "encoder-only-m3 (the only class; accepted for FlagEmbedding commands)")
  public String embedderModelClass = null;

  @Flag(name = "embedder_batch_size", help = "most texts in one forward pass")
  public int embedderBatchSize = 3000;

  @Flag(name = "embedder_query_max_length", help = "query tokens")
  public int embedderQueryMaxLength = 512;

  @Flag(name = "embedder_passage_max_length", help = "passage tokens")
  public int embedderPassageMaxLength = 512;

  @Flag(name = "query_instruction_for_retrieval", help = "instruction put before each query (passages get none)")
  public String queryInstructionForRetrieval = null;

  @Flag(name = "query_instruction_format_for_retrieval", help = "Python str.format pattern: {} instruction, {} query")
  public String queryInstructionFormatForRetrieval = "{}{}";

  @Flag(name = "retrieval_mode", help = "dense, sparse, colbert, dense+sparse or all; several give one result row "
      + "each (folder {model}[mode] for all but dense)")
  public List<String> retrievalMode = new ArrayList<>(List.of("dense"));

  @Flag(name = "weights_for_different_modes", help = "[dense, sparse, colbert] weights of dense+sparse and all "
      + "(the BGE-M3 README uses 0.4 0.2 0.4)")
  public List<Double> weightsForDifferentModes = new ArrayList<>(List.of(1.0, 1.0, 1.0));

  @Flag(name = "use_fp16", help = "run the model in float16 (GPU only; CPU stays float32)")
  public boolean useFp16 = false;

  @Flag(name = "init_new_heads", help = "initialise missing sparse/ColBERT heads (models without M3 heads)")
  public boolean initNewHeads = false;

  @Flag(name = "devices", help = "devices for local runs, e.g. cuda:0 or cpu; default: every CUDA GPU, else "
      + "cpu; cluster tasks use the GPU Spark assigned")
  public List<String> devices = new ArrayList<>();

  @Flag(name = "cache_dir", help = "where Hub downloads are cached (default: HF_HUB_CACHE, else HF_HOME/hub)")
  public String cacheDir = null;

  @Flag(name = "num_partitions", help = "partitions for embedding and search; 0 = the default parallelism")
  public int numPartitions = 0;

  @Override
  public void validate() throws UsageException {
    if (searchTopK < 1 || embedderBatchSize < 1 || embedderQueryMaxLength < 1 || embedderPassageMaxLength < 1
        || numPartitions < 0) {
      throw new UsageException("--search_top_k, --embedder_batch_size and max lengths must be positive");
    }
    if (kValues.isEmpty() || kValues.stream().anyMatch(k -> k < 1)) {
      throw new UsageException("--k_values must be positive, got " + kValues);
    }
    if (splits.isEmpty() || embedderNameOrPath.isEmpty() || retrievalMode.isEmpty()) {
      throw new UsageException("--splits, --embedder_name_or_path and --retrieval_mode need at least one value");
    }
    if (embedderModelClass != null && !embedderModelClass.equals("encoder-only-m3")) {
      throw new UsageException("--embedder_model_class: only encoder-only-m3 is supported, got " + embedderModelClass);
    }
    if (weightsForDifferentModes.size() != 3 || weightsForDifferentModes.stream().anyMatch(w -> w < 0)
        || weightsForDifferentModes.get(0) + weightsForDifferentModes.get(1) <= 0) {
      throw new UsageException("--weights_for_different_modes takes 3 non-negative weights (dense sparse colbert), "
          + "dense + sparse > 0; got " + weightsForDifferentModes);
    }
    for (String m : evalMetrics) {
      if (Metrics.familyOf(m).isEmpty() || Metrics.cutoffOf(m) < 1) {
        throw new UsageException("--eval_metrics: unknown metric '" + m + "'");
      }
    }
    try {
      modes();
    } catch (IllegalArgumentException e) {
      throw new UsageException("--retrieval_mode: " + e.getMessage());
    }
  }

  /** The requested modes, each once, in the order given. */
  public List<RetrievalMode> modes() {
    return retrievalMode.stream().map(RetrievalMode::parse).distinct().toList();
  }

  public double[] weights() {
    return weightsForDifferentModes.stream().mapToDouble(Double::doubleValue).toArray();
  }
}
