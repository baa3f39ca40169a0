package io.m3spark.jobs.embed;

import io.m3spark.cli.CommandArgs;
import io.m3spark.cli.Flag;
import io.m3spark.cli.UsageException;
import io.m3spark.io.OutputRule;
import io.m3spark.text.InstructionFormat;
import java.util.ArrayList;
import java.util.List;

/** Flags of {@code m3spark embed}; names and defaults follow FlagEmbedding's M3Embedder (behaviour spec §3.4). */
public final class EmbedArgs extends CommandArgs {
  private static final long serialVersionUID = 1L;

  @Flag(name = "model_name_or_path", help = "model: a folder (config.json, weights, heads, tokenizer), an hdfs:// or s3a:// "
      + "folder, a Hugging Face Hub id such as BAAI/bge-m3[@revision], or the built-in bge-small-en-v1.5", required = true)
  public String modelNameOrPath;

  @Flag(name = "cache_dir", help = "where Hub downloads are cached (default: HF_HUB_CACHE, else HF_HOME/hub)")
  public String cacheDir = null;

  @Flag(name = "init_new_heads", help = "initialise missing sparse/ColBERT head files instead of failing")
  public boolean initNewHeads = false;

  @Flag(name = "input", help = "JSONL or Parquet file, or a folder of *.jsonl/*.json/*.parquet (any Hadoop path)", required = true)
  public String input;

  @Flag(name = "output", help = "output folder; written to a temporary sibling and renamed when complete", required = true)
  public String output;

  @Flag(name = "kind", help = "query or passage: queries get the instruction, passages get title + text")
  public String kind = "passage";

  @Flag(name = "return_dense", help = "write the dense vectors (and dense.npy)")
  public boolean returnDense = true;

  @Flag(name = "return_sparse", help = "write the lexical weights {token id: weight}")
  public boolean returnSparse = false;

  @Flag(name = "return_colbert_vecs", help = "write the multi-vector (ColBERT) embeddings")
  public boolean returnColbertVecs = false;

  @Flag(name = "max_length", help = "tokens per text; longer texts are truncated and counted")
  public int maxLength = 512;

  @Flag(name = "batch_size", help = "most texts in one forward pass")
  public int batchSize = 256;

  @Flag(name = "max_tokens_per_batch", help = "padded-token budget of one forward pass; 0 = batch_size x max_length")
  public long maxTokensPerBatch = 0;

  @Flag(name = "query_instruction_for_retrieval", help = "instruction put before each query (kind=query only)")
  public String queryInstructionForRetrieval = null;

  @Flag(name = "query_instruction_format_for_retrieval", help = "Python str.format pattern: {} instruction, {} query")
  public String queryInstructionFormatForRetrieval = "{}{}";

  @Flag(name = "output_format", help = "parquet or jsonl")
  public String outputFormat = "parquet";

  @Flag(name = "skip_bad_records", help = "quarantine bad input records and embed the rest instead of failing")
  public boolean skipBadRecords = false;

  @Flag(name = "overwrite", help = "replace an existing output folder of an earlier embed (one with _embed.json)")
  public boolean overwrite = false;

  @Flag(name = "use_fp16", help = "run the model in float16 (GPU only; CPU stays float32)")
  public boolean useFp16 = false;

  @Flag(name = "devices", help = "devices for local runs, e.g. cuda:0 cuda:1 or cpu; default: every CUDA GPU, else "
      + "cpu; cluster tasks use the GPU Spark assigned")
  public List<String> devices = new ArrayList<>();

  @Flag(name = "pooling_method", help = "cls, mean or last_token")
  public String poolingMethod = "cls";

  @Flag(name = "normalize_embeddings", help = "L2-normalise dense and ColBERT vectors")
  public boolean normalizeEmbeddings = true;

  @Flag(name = "num_partitions", help = "embedding tasks; 0 = max(default parallelism, ceil(texts / texts_per_partition))")
  public int numPartitions = 0;

  @Override
  public void validate() throws UsageException {
    require(kind.equals("query") || kind.equals("passage"), "--kind must be query or passage, got " + kind);
    require(outputFormat.equals("parquet") || outputFormat.equals("jsonl"),
        "--output_format must be parquet or jsonl, got " + outputFormat);
    require(poolingMethod.equals("cls") || poolingMethod.equals("mean") || poolingMethod.equals("last_token"),
        "--pooling_method must be cls, mean or last_token, got " + poolingMethod);
    require(maxLength > 0, "--max_length must be positive");
    require(batchSize > 0, "--batch_size must be positive");
    require(maxTokensPerBatch >= 0, "--max_tokens_per_batch must not be negative");
    require(numPartitions >= 0, "--num_partitions must not be negative");
    require(returnDense || returnSparse || returnColbertVecs,
        "nothing to compute: --return_dense, --return_sparse and --return_colbert_vecs are all off");
    if (queryInstructionForRetrieval != null) {
      try {
        InstructionFormat.parse(queryInstructionFormatForRetrieval); // fail on a bad pattern before Spark starts
      } catch (IllegalArgumentException e) {
        throw new UsageException("--query_instruction_format_for_retrieval: " + e.getMessage());
      }
    }
  }

  /** What {@code --output} may replace: an earlier embed output, never one holding the input, the model or a cache. */
  public OutputRule outputRule() {
    return OutputRule.folder("--output", output, EmbedManifest.NAME).protect("--input", input)
        .protectLocal("--model_name_or_path", modelNameOrPath).protectLocal("--cache_dir", cacheDir);
  }

  /** The padded-token budget actually used for one batch. */
  public long effectiveMaxTokensPerBatch() {
    return maxTokensPerBatch > 0 ? maxTokensPerBatch : (long) batchSize * maxLength;
  }

  private static void require(boolean ok, String message) throws UsageException {
    if (!ok) {
      throw new UsageException(message);
    }
  }
}
