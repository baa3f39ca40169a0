package io.m3spark.jobs.embed;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.m3spark.text.InstructionFormat;
import java.io.IOException;
import java.io.OutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** {@code _embed.json}: how the output was made (model and its fingerprint, settings, counts, dims, timings). */
public final class EmbedManifest {
  /** The manifest's name; its presence is what marks a folder as an embed output ({@link EmbedArgs#outputRule}). */
  public static final String NAME = "_embed.json";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private EmbedManifest() {}

  public static void write(FileSystem fs, Path file, EmbedArgs args, EmbedResult result, EmbedStats stats,
      String embeddingsFolder) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("model_name_or_path", args.modelNameOrPath);
    root.put("model_fingerprint", result.modelFingerprint());
    root.put("input", args.input);
    root.put("kind", args.kind);
    root.put("max_length", args.maxLength);
    root.put("pooling_method", args.poolingMethod);
    root.put("normalize_embeddings", args.normalizeEmbeddings);
    root.put("use_fp16", args.useFp16);
    if (args.kind.equals("query") && args.queryInstructionForRetrieval != null) {
      root.put("query_instruction_for_retrieval", args.queryInstructionForRetrieval);
      root.put("query_instruction_format_for_retrieval", args.queryInstructionFormatForRetrieval);
    }
    root.put("output_format", args.outputFormat);
    root.put("embeddings", embeddingsFolder);
    ObjectNode counts = root.putObject("counts");
    counts.put("read", result.read());
    counts.put("embedded", result.embedded());
    counts.put("quarantined", result.quarantined());
    counts.put("duplicate_ids", result.duplicateIds());
    counts.put("truncated", result.truncated());
    counts.put("longest_text_tokens", result.longestText());
    counts.put("tokens", result.tokens());
    ObjectNode dims = root.putObject("dims");
    if (args.returnDense) {
      dims.put("dense", stats.denseDim());
    }
    if (args.returnSparse) {
      dims.put("sparse", "token ids");
    }
    if (args.returnColbertVecs) {
      dims.put("colbert", stats.colbertDim());
    }
    ObjectNode timings = root.putObject("timings");
    timings.put("embed_seconds", result.embedSeconds());
    timings.put("texts_per_second", result.textsPerSecond());
    timings.put("tokens_per_second", result.tokensPerSecond());
    try (OutputStream out = fs.create(file, false)) {
      JSON.writeValue(out, root);
    }
  }
}
