package io.m3spark.jobs.mine;

import io.m3spark.cli.CommandArgs;
import io.m3spark.cli.Flag;
import io.m3spark.cli.UsageException;
import io.m3spark.io.OutputRule;
import io.m3spark.mining.MiningOptions;
import io.m3spark.mining.SamplingStrategy;
import io.m3spark.text.InstructionFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Flags of {@code m3spark mine}: FlagEmbedding's hn_mine arguments (behaviour spec §1.1), plus seed and filters. */
public final class MineArgs extends CommandArgs {
  private static final long serialVersionUID = 1L;

  @Flag(name = "model_name_or_path", aliases = {"embedder_name_or_path"}, help = "embedding model folder",
      required = true)
  public String modelNameOrPath;

  @Flag(name = "input_file", help = "training JSONL files or folders (any Hadoop path)", required = true)
  public List<String> inputFile = new ArrayList<>();

  @Flag(name = "output_file", help = "mined training JSONL; the report goes to <output_file>.report.json/.md",
      required = true)
  public String outputFile;

  @Flag(name = "candidate_pool", help = "JSONL of {\"text\": ...}: search this pool instead of the input's pos + neg")
  public String candidatePool = null;

  @Flag(name = "range_for_sampling", help = "a-b: sample from rank positions [a, b) of the top b hits")
  public String rangeForSampling = "10-210";

  @Flag(name = "negative_number", help = "negatives per record")
  public int negativeNumber = 15;

  @Flag(name = "query_instruction_for_retrieval", help = "instruction put before each query")
  public String queryInstructionForRetrieval = null;

  @Flag(name = "query_instruction_format_for_retrieval", help = "Python str.format pattern: {} instruction, {} query")
  public String queryInstructionFormatForRetrieval = "{}{}";

  @Flag(name = "embedder_query_max_length", help = "query tokens")
  public int embedderQueryMaxLength = 512;

  @Flag(name = "embedder_passage_max_length", help = "passage tokens")
  public int embedderPassageMaxLength = 512;

  @Flag(name = "use_gpu_for_searching", help = "float16 search on GPU, as faiss-gpu's useFloat16 (approximate)")
  public boolean useGpuForSearching = false;

  @Flag(name = "seed", help = "seed of every record's random generator")
  public long seed = 42;

  @Flag(name = "relative_margin", help = "drop candidates scoring above (1 - m) x the lowest positive score")
  public Float relativeMargin = null;

  @Flag(name = "absolute_margin", help = "drop candidates scoring above the lowest positive score - m")
  public Float absoluteMargin = null;

  @Flag(name = "max_score", help = "drop candidates scoring above this")
  public Float maxScore = null;

  @Flag(name = "min_score", help = "drop candidates scoring below this")
  public Float minScore = null;

  @Flag(name = "sampling_strategy", help = "random (FlagEmbedding) or top")
  public String samplingStrategy = "random";

  @Flag(name = "add_scores", help = "write dense pos_scores/neg_scores aligned with pos/neg")
  public boolean addScores = false;

  @Flag(name = "skip_bad_records", help = "quarantine bad input records to <output_file>.quarantine.jsonl instead of failing")
  public boolean skipBadRecords = false;

  @Flag(name = "batch_size", help = "most texts in one forward pass")
  public int batchSize = 256;

  @Flag(name = "devices", help = "devices for local runs, e.g. cuda:0 or cpu; default: every CUDA GPU, else "
      + "cpu; cluster tasks use the GPU Spark assigned")
  public List<String> devices = new ArrayList<>();

  @Flag(name = "num_partitions", help = "partitions for embedding and sampling; 0 = the default parallelism")
  public int numPartitions = 0;

  @Flag(name = "overwrite", help = "replace an existing output file (a regular file that is not an input)")
  public boolean overwrite = false;

  @Override
  public void validate() throws UsageException {
    try {
      options();
      if (queryInstructionForRetrieval != null) {
        InstructionFormat.parse(queryInstructionFormatForRetrieval);
      }
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    if (inputFile.isEmpty()) {
      throw new UsageException("--input_file needs at least one file or folder");
    }
    if (embedderQueryMaxLength < 1 || embedderPassageMaxLength < 1 || batchSize < 1 || numPartitions < 0) {
      throw new UsageException("max lengths and --batch_size must be positive, --num_partitions not negative");
    }
  }

  /** What {@code --output_file} may replace: a regular file, never an input, the model or a folder holding them. */
  public OutputRule outputRule() {
    return OutputRule.file("--output_file", outputFile).protect("--input_file", inputFile)
        .protect("--candidate_pool", candidatePool).protectLocal("--model_name_or_path", modelNameOrPath);
  }

  public MiningOptions options() {
    SamplingStrategy strategy;
    try {
      strategy = SamplingStrategy.valueOf(samplingStrategy.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--sampling_strategy must be random or top, got " + samplingStrategy);
    }
    return MiningOptions.builder().range(rangeForSampling).negativeNumber(negativeNumber).seed(seed)
        .samplingStrategy(strategy).relativeMargin(relativeMargin).absoluteMargin(absoluteMargin).maxScore(maxScore)
        .minScore(minScore).addScores(addScores).build();
  }
}
