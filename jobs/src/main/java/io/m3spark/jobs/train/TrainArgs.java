package io.m3spark.jobs.train;

import io.m3spark.cli.CommandArgs;
import io.m3spark.cli.Flag;
import io.m3spark.cli.UsageException;
import io.m3spark.io.Locations;
import io.m3spark.io.OutputRule;
import io.m3spark.text.InstructionFormat;
import io.m3spark.train.collective.RingSettings;
import io.m3spark.train.step.KdLossType;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Flags of {@code m3spark train}: those of FlagEmbedding's {@code encoder_only.m3} fine-tuning module and the Hugging
 * Face Trainer arguments it uses, with the same names and defaults (flagembedding-behaviour.md §4.1), plus
 * {@code --num_workers} in place of torchrun's {@code --nproc_per_node}.
 */
public final class TrainArgs extends CommandArgs {
  private static final long serialVersionUID = 1L;

  // model
  @Flag(name = "model_name_or_path", help = "base model: folder, hdfs:// or s3a:// folder, Hub id or built-in name",
      required = true)
  public String modelNameOrPath;

  @Flag(name = "cache_dir", help = "where Hub downloads are cached (default: HF_HUB_CACHE, else HF_HOME/hub)")
  public String cacheDir = null;

  @Flag(name = "colbert_dim", help = "output size of colbert_linear; -1 = hidden size")
  public int colbertDim = -1;

  @Flag(name = "init_new_heads", help = "initialise missing sparse/ColBERT head files instead of failing")
  public boolean initNewHeads = false;

  @Flag(name = "hidden_dropout_prob", help = "dropout after embeddings, attention output and FFN; unset = config.json")
  public Float hiddenDropoutProb = null;

  @Flag(name = "attention_probs_dropout_prob", help = "dropout on attention probabilities; unset = config.json")
  public Float attentionProbsDropoutProb = null;

  @Flag(name = "sentence_pooling_method", help = "cls (BGE-M3 trains with CLS pooling)")
  public String sentencePoolingMethod = "cls";

  @Flag(name = "normalize_embeddings", help = "L2-normalise dense and ColBERT vectors (training requires it)")
  public boolean normalizeEmbeddings = true;

  // data
  @Flag(name = "train_data", help = "training JSONL files and folders (folders: their *.json/*.jsonl, not recursive); "
      + "paths or Hadoop URIs (hdfs://, s3a://, ...: copied once to each host)",
      required = true)
  public List<String> trainData = new ArrayList<>();

  @Flag(name = "cache_path", help = "a local folder on each host where the validated index of each training file is "
      + "cached, so a restart skips re-validation, and where Hadoop inputs are copied (FlagEmbedding: the datasets "
      + "cache)")
  public String cachePath = null;

  @Flag(name = "train_group_size", help = "passages per query: 1 positive + (G-1) negatives")
  public int trainGroupSize = 8;

  @Flag(name = "query_max_len", help = "query tokens, special tokens included")
  public int queryMaxLen = 32;

  @Flag(name = "passage_max_len", help = "passage tokens, special tokens included")
  public int passageMaxLen = 128;

  @Flag(name = "pad_to_multiple_of", help = "round padded lengths up to a multiple of this")
  public Integer padToMultipleOf = null;

  @Flag(name = "query_instruction_for_retrieval", help = "instruction put before each query")
  public String queryInstructionForRetrieval = null;

  @Flag(name = "query_instruction_format_for_retrieval", help = "Python str.format pattern: {} instruction, {} query")
  public String queryInstructionFormatForRetrieval = "{}{}";

  @Flag(name = "passage_instruction_for_retrieval", help = "instruction put before each passage")
  public String passageInstructionForRetrieval = null;

  @Flag(name = "passage_instruction_format_for_retrieval", help = "Python str.format pattern: {} instruction, {} passage")
  public String passageInstructionFormatForRetrieval = "{}{}";

  @Flag(name = "knowledge_distillation", help = "distil from pos_scores/neg_scores (reranker scores)")
  public boolean knowledgeDistillation = false;

  @Flag(name = "shuffle_ratio", help = "probability of shuffling a long positive's three chunks")
  public double shuffleRatio = 0.0;

  @Flag(name = "same_dataset_within_batch", help = "every batch from one file, per-file batch and group sizes")
  public boolean sameDatasetWithinBatch = false;

  @Flag(name = "small_threshold", help = "same-dataset mode: pool files of a folder smaller than this")
  public int smallThreshold = 0;

  @Flag(name = "drop_threshold", help = "same-dataset mode: drop the small-file pool when smaller than this")
  public int dropThreshold = 0;

  @Flag(name = "skip_bad_records", help = "skip and count bad training records (written to output_dir/bad-records.jsonl)"
      + " instead of failing at the first")
  public boolean skipBadRecords = false;

  // loss
  @Flag(name = "temperature", help = "every score is divided by this before softmax")
  public float temperature = 0.02f;

  @Flag(name = "unified_finetuning", help = "train dense, sparse, ColBERT and their ensemble; off = dense only")
  public boolean unifiedFinetuning = false;

  @Flag(name = "use_self_distill", help = "self-distillation from the ensemble score (unified only)")
  public boolean useSelfDistill = false;

  @Flag(name = "self_distill_start_step", help = "self-distil once this many forward passes (micro-batches) are done")
  public long selfDistillStartStep = -1;

  @Flag(name = "kd_loss_type", help = "kl_div or m3_kd_loss")
  public String kdLossType = "kl_div";

  @Flag(name = "negatives_cross_device", help = "dense loss against the passages of every worker")
  public boolean negativesCrossDevice = false;

  @Flag(name = "fix_encoder", help = "train only the sparse and ColBERT heads")
  public boolean fixEncoder = false;

  @Flag(name = "fix_position_embedding", help = "freeze the position embeddings")
  public boolean fixPositionEmbedding = false;

  // optimisation (Hugging Face Trainer)
  @Flag(name = "output_dir", help = "checkpoints, loss log and the final model: a path on storage every executor "
      + "and the driver see, or a Hadoop URI (hdfs://, s3a://, ...)",
      required = true)
  public String outputDir;

  @Flag(name = "overwrite_output_dir", help = "allow an output_dir that already holds a model or checkpoints")
  public boolean overwriteOutputDir = false;

  @Flag(name = "learning_rate", help = "peak learning rate")
  public double learningRate = 5e-5;

  @Flag(name = "num_train_epochs", help = "epochs (fractions allowed)")
  public double numTrainEpochs = 3.0;

  @Flag(name = "max_steps", help = "optimizer steps; > 0 overrides num_train_epochs")
  public long maxSteps = -1;

  @Flag(name = "per_device_train_batch_size", help = "queries per worker per micro-batch")
  public int perDeviceTrainBatchSize = 8;

  @Flag(name = "gradient_accumulation_steps", help = "micro-batches per optimizer step")
  public int gradientAccumulationSteps = 1;

  @Flag(name = "dataloader_drop_last", help = "drop an epoch's incomplete last global batch")
  public boolean dataloaderDropLast = false;

  @Flag(name = "warmup_ratio", help = "share of the steps spent warming up (when warmup_steps is 0)")
  public double warmupRatio = 0.0;

  @Flag(name = "warmup_steps", help = "warm-up steps; > 0 overrides warmup_ratio")
  public long warmupSteps = 0;

  @Flag(name = "lr_scheduler_type", help = "linear, cosine or constant_with_warmup")
  public String lrSchedulerType = "linear";

  @Flag(name = "weight_decay", help = "AdamW's decoupled weight decay (not on biases and LayerNorm weights)")
  public double weightDecay = 0.0;

  @Flag(name = "adam_beta1", help = "AdamW beta1")
  public double adamBeta1 = 0.9;

  @Flag(name = "adam_beta2", help = "AdamW beta2")
  public double adamBeta2 = 0.999;

  @Flag(name = "adam_epsilon", help = "AdamW epsilon")
  public double adamEpsilon = 1e-8;

  @Flag(name = "max_grad_norm", help = "clip gradients to this total norm; 0 = no clipping")
  public double maxGradNorm = 1.0;

  @Flag(name = "gradient_checkpointing", help = "recompute each encoder layer in backward instead of keeping it")
  public boolean gradientCheckpointing = false;

  @Flag(name = "sub_batch_size", help = "encode in chunks of this many texts (GradCache: same gradients, less memory)")
  public Integer subBatchSize = null;

  @Flag(name = "fp16", help = "fp16 with fp32 master weights and dynamic loss scaling (needs --deepspeed; GPU: a CPU "
      + "trains in fp32 with a warning)")
  public boolean fp16 = false;

  @Flag(name = "fp16_on_cpu", help = "run --fp16 in half precision on a CPU too (slow; to check fp16 numerics without a GPU)")
  public boolean fp16OnCpu = false;

  @Flag(name = "deepspeed", help = "DeepSpeed JSON config (e.g. conf/deepspeed/ds_stage0.json); mapped, not run")
  public String deepspeed = null;

  @Flag(name = "seed", help = "seeds data order, sampling and dropout; recorded in checkpoints")
  public long seed = 42;

  @Flag(name = "logging_steps", help = "a progress line and loss-log entry every this many steps")
  public int loggingSteps = 500;

  @Flag(name = "save_steps", help = "a checkpoint every this many steps; 0 = none")
  public int saveSteps = 500;

  @Flag(name = "save_total_limit", help = "checkpoints to keep; unset keeps all")
  public Integer saveTotalLimit = null;

  @Flag(name = "resume_from_checkpoint", help = "a checkpoint-N folder (path or Hadoop URI), True for the latest in "
      + "output_dir, or auto: the latest if there is one, else a fresh start (for retried scheduler tasks)")
  public String resumeFromCheckpoint = null;

  // distribution
  @Flag(name = "num_workers", help = "data-parallel workers (one per GPU); 0 = every GPU Spark offers, 1 locally")
  public int numWorkers = 0;

  @Flag(name = "max_restarts", help = "times the driver relaunches the workers from the last checkpoint after a failure")
  public int maxRestarts = 3;

  @Flag(name = "collective_timeout_s", help = "seconds a worker waits for a live worker's data (or for it to connect) "
      + "before failing the stage")
  public int collectiveTimeoutS = 600;

  @Flag(name = "heartbeat_timeout_s", help = "seconds a worker may hear nothing at all, not even a heartbeat, from its "
      + "neighbour in the ring before that neighbour is taken as hung or cut off and the stage fails")
  public int heartbeatTimeoutS = (int) RingSettings.DEFAULT_HEARTBEAT_TIMEOUT.toSeconds();

  @Flag(name = "fail_worker_at_step", help = "testing aid, R:N: worker R fails after step N of the first launch, to "
      + "check that the driver restarts from the last checkpoint", testing = true)
  public String failWorkerAtStep = null;

  /**
   * What {@code --overwrite_output_dir} may delete in {@code --output_dir}: the earlier run's checkpoints, never when
   * the folder is or holds the training data, the model, a cache or the DeepSpeed config.
   */
  public OutputRule outputRule() {
    return OutputRule.sharedFolder("--output_dir", outputDir).protect("--train_data", trainData)
        .protect("--model_name_or_path", modelNameOrPath).protect("--cache_dir", cacheDir)
        .protect("--cache_path", cachePath).protect("--deepspeed", deepspeed);
  }

  @Override
  public void validate() throws UsageException {
    require(!trainData.isEmpty(), "--train_data: give at least one file or folder");
    require(cachePath == null || Locations.hadoopUri(cachePath).isEmpty(),
        "--cache_path is a local folder on each host, not a Hadoop URI: " + cachePath);
    require(trainGroupSize >= 1, "--train_group_size must be >= 1");
    require(queryMaxLen > 0 && passageMaxLen > 0, "--query_max_len and --passage_max_len must be positive");
    require(padToMultipleOf == null || padToMultipleOf > 0, "--pad_to_multiple_of must be positive");
    require(perDeviceTrainBatchSize >= 1, "--per_device_train_batch_size must be >= 1");
    require(gradientAccumulationSteps >= 1, "--gradient_accumulation_steps must be >= 1");
    require(numTrainEpochs > 0 || maxSteps > 0, "--num_train_epochs must be > 0 unless --max_steps is set");
    require(warmupRatio >= 0 && warmupRatio <= 1, "--warmup_ratio must be in [0, 1]");
    require(warmupSteps >= 0, "--warmup_steps must be >= 0");
    require(Set.of("linear", "cosine", "constant_with_warmup").contains(lrSchedulerType),
        "--lr_scheduler_type must be linear, cosine or constant_with_warmup, got " + lrSchedulerType);
    require(learningRate >= 0, "--learning_rate must be >= 0");
    require(maxGradNorm >= 0, "--max_grad_norm must be >= 0");
    require(temperature > 0, "--temperature must be > 0");
    require(loggingSteps >= 1, "--logging_steps must be >= 1");
    require(saveSteps >= 0, "--save_steps must be >= 0");
    require(saveTotalLimit == null || saveTotalLimit >= 1, "--save_total_limit must be >= 1");
    require(subBatchSize == null || subBatchSize >= 1, "--sub_batch_size must be >= 1");
    require(numWorkers >= 0, "--num_workers must be >= 0");
    require(maxRestarts >= 0, "--max_restarts must be >= 0");
    require(collectiveTimeoutS >= 1, "--collective_timeout_s must be >= 1");
    require(heartbeatTimeoutS >= 1, "--heartbeat_timeout_s must be >= 1");
    require(shuffleRatio >= 0 && shuffleRatio <= 1, "--shuffle_ratio must be in [0, 1]");
    require(sentencePoolingMethod.equals("cls"), "--sentence_pooling_method: BGE-M3 fine-tuning uses cls, got "
        + sentencePoolingMethod);
    require(normalizeEmbeddings, "--normalize_embeddings False is not supported by this port");
    require(failWorkerAtStep == null || failWorkerAtStep.matches("\\d+:\\d+"),
        "--fail_worker_at_step must be RANK:STEP, got " + failWorkerAtStep);
    try {
      KdLossType.parse(kdLossType);
      InstructionFormat.parse(queryInstructionFormatForRetrieval);
      InstructionFormat.parse(passageInstructionFormatForRetrieval);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  private static void require(boolean ok, String message) throws UsageException {
    if (!ok) {
      throw new UsageException(message);
    }
  }
}
