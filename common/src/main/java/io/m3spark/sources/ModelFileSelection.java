package io.m3spark.sources;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The files of a Hub repository a model folder needs: config, one weights format, the M3 heads and the tokenizer.
 * Repositories hold much more (BGE-M3 also has ONNX exports and images), which is not downloaded.
 */
public final class ModelFileSelection {
  /** Taken when the repository has them. */
  static final List<String> OPTIONAL = List.of("colbert_linear.pt", "sparse_linear.pt", "tokenizer.json",
      "tokenizer_config.json", "special_tokens_map.json", "sentencepiece.bpe.model");
  /** The first of these the repository has is the weights; an index brings its shards (see {@link #shards}). */
  static final List<String> WEIGHTS = List.of("model.safetensors", "model.safetensors.index.json", "pytorch_model.bin",
      "pytorch_model.bin.index.json");

  /** Far above the few hundred shards of the largest public checkpoints; each costs a request and a file. */
  static final int MAX_SHARDS = 4096;

  private static final ObjectMapper JSON = new ObjectMapper();

  private ModelFileSelection() {}

  /** The files to fetch from a repository holding {@code repoFiles}, config and weights first. */
  public static List<String> select(HubRepoId repo, Collection<String> repoFiles) throws HubException {
    Set<String> present = Set.copyOf(repoFiles);
    if (!present.contains("config.json")) {
      throw new HubException(repo + " has no config.json: not a model repository");
    }
    String weights = WEIGHTS.stream().filter(present::contains).findFirst()
        .orElseThrow(() -> new HubException(repo + " has no weights (none of " + String.join(", ", WEIGHTS) + ")"));
    List<String> files = new ArrayList<>(List.of("config.json", weights));
    OPTIONAL.stream().filter(present::contains).forEach(files::add);
    return files;
  }

  /** Whether {@code file} is a sharded-weights index whose shards must be fetched too. */
  public static boolean isIndex(String file) {
    return file.endsWith(".index.json");
  }

  /**
   * The shard files an index's {@code weight_map} names, each once, paths relative to the index's folder. The index
   * comes from the network, so a shard must be a weight file of the index's own format ({@code .safetensors} for
   * {@code *.safetensors.index.json}, {@code .bin} for {@code *.bin.index.json}): never the index itself, another
   * index or any other file, and never a path leading out of the snapshot.
   */
  public static List<String> shards(HubRepoId repo, String indexPath, Path indexFile) throws IOException {
    JsonNode map = JSON.readTree(indexFile.toFile()).path("weight_map");
    String context = indexPath + " of " + repo;
    if (!map.isObject()) {
      throw new HubException(context + " has no weight_map object");
    }
    // model.safetensors.index.json indexes .safetensors shards, pytorch_model.bin.index.json .bin ones
    String indexName = indexPath.substring(indexPath.lastIndexOf('/') + 1);
    String weightsName = indexName.substring(0, indexName.length() - ".index.json".length());
    String extension = weightsName.substring(weightsName.lastIndexOf('.') + 1);
    String dir = indexPath.substring(0, indexPath.lastIndexOf('/') + 1);
    Set<String> shards = new LinkedHashSet<>();
    for (JsonNode n : (Iterable<JsonNode>) map::elements) {
      if (!n.isTextual()) {
        throw new HubException(context + ": weight_map has a " + n.getNodeType() + " where a shard file name belongs");
      }
      String shard = n.asText();
      HubNames.checkRelativePath(shard, context + ": weight_map");
      if (!shard.endsWith("." + extension)) {
        throw new HubException(context + ": weight_map names " + HubNames.shown(shard) + ", not a ." + extension
            + " weight file");
      }
      if (shards.add(dir + shard) && shards.size() > MAX_SHARDS) {
        throw new HubException(context + ": weight_map names more than " + MAX_SHARDS + " shard files");
      }
    }
    return List.copyOf(shards);
  }
}
