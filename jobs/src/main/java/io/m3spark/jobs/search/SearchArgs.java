package io.m3spark.jobs.search;

import io.m3spark.cli.CommandArgs;
import io.m3spark.cli.Flag;
import io.m3spark.cli.UsageException;
import io.m3spark.io.OutputRule;
import io.m3spark.search.SearchOptions;
import java.util.ArrayList;
import java.util.List;

/** Flags of {@code m3spark search}. */
public final class SearchArgs extends CommandArgs {
  private static final long serialVersionUID = 1L;

  @Flag(name = "corpus_embeddings", help = "output folder of m3spark embed for the corpus", required = true)
  public String corpusEmbeddings;

  @Flag(name = "query_embeddings", help = "output folder of m3spark embed for the queries", required = true)
  public String queryEmbeddings;

  @Flag(name = "top_k", help = "hits per query; a corpus smaller than k gives all its documents")
  public int topK = 100;

  @Flag(name = "output", help = "output folder; written to a temporary sibling and renamed when complete", required = true)
  public String output;

  @Flag(name = "output_format", help = "jsonl ({\"qid\", \"hits\": [{\"docid\", \"score\"}]} per line) or parquet")
  public String outputFormat = "jsonl";

  @Flag(name = "query_block_size", help = "queries per matmul; with corpus_shard_size bounds a task's score matrix")
  public int queryBlockSize = SearchOptions.DEFAULT_QUERY_BLOCK_SIZE;

  @Flag(name = "corpus_shard_size", help = "documents per corpus shard (one matmul's columns)")
  public int corpusShardSize = SearchOptions.DEFAULT_CORPUS_SHARD_SIZE;

  @Flag(name = "use_fp16", help = "float16 matmul on GPU (approximate, like faiss-gpu useFloat16); ignored on CPU")
  public boolean useFp16 = false;

  @Flag(name = "devices", help = "devices for local runs, e.g. cuda:0 or cpu; default: every CUDA GPU, else "
      + "cpu; cluster tasks use the GPU Spark assigned")
  public List<String> devices = new ArrayList<>();

  @Flag(name = "overwrite", help = "replace an existing output folder of an earlier search (one with _search.json)")
  public boolean overwrite = false;

  @Override
  public void validate() throws UsageException {
    if (topK < 1) {
      throw new UsageException("--top_k must be >= 1, got " + topK);
    }
    if (queryBlockSize < 1 || corpusShardSize < 1) {
      throw new UsageException("--query_block_size and --corpus_shard_size must be >= 1");
    }
    if (!outputFormat.equals("jsonl") && !outputFormat.equals("parquet")) {
      throw new UsageException("--output_format must be jsonl or parquet, got " + outputFormat);
    }
  }

  /** What {@code --output} may replace: an earlier search output, never one holding the embeddings searched. */
  public OutputRule outputRule() {
    return OutputRule.folder("--output", output, SearchManifest.NAME)
        .protect("--corpus_embeddings", corpusEmbeddings).protect("--query_embeddings", queryEmbeddings);
  }

  public SearchOptions options() {
    return new SearchOptions(queryBlockSize, corpusShardSize, useFp16);
  }
}
