package io.m3spark.text;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The model's tokenizer: Hugging Face {@code tokenizer.json} run by DJL's Rust binding, with special tokens added and
 * <em>no</em> truncation or padding inside DJL. Truncation is done here, Hugging Face style (keep the first
 * {@code maxLength − 2} content tokens, then the closing special token); padding is {@link TokenBatch#pad}'s job, with
 * the pad id named by {@code tokenizer_config.json} (DJL's default 0 would be {@code <s>} in XLM-R).
 *
 * <p>{@code tokenizer.json} is checked by {@link TokenizerFile} before the native library sees it, because that library
 * aborts the JVM on some inputs instead of failing; what it still refuses becomes an {@link IOException} naming the
 * file.
 *
 * <p>Thread-safe: the native tokenizer is immutable after loading.
 */
public final class M3Tokenizer implements AutoCloseable {
  private final HuggingFaceTokenizer tokenizer;
  private final int clsId;
  private final int sepId;
  private final int padId;
  private final int unkId;
  private final String[] idToToken;

  private M3Tokenizer(HuggingFaceTokenizer tokenizer, int clsId, int sepId, int padId, int unkId, String[] idToToken) {
    this.tokenizer = tokenizer;
    this.idToToken = idToToken;
    this.clsId = clsId;
    this.sepId = sepId;
    this.padId = padId;
    this.unkId = unkId;
  }

  /** Loads {@code tokenizer.json} and (when present) {@code tokenizer_config.json} from {@code modelFolder}. */
  public static M3Tokenizer load(Path modelFolder) throws IOException {
    return load(modelFolder, Integer.MAX_VALUE);
  }

  /**
   * As {@link #load(Path)}, for a model with {@code embeddingRows} rows in its token embedding: a tokenizer whose
   * ids reach past them is refused before the native tokenizer is built.
   */
  public static M3Tokenizer load(Path modelFolder, int embeddingRows) throws IOException {
    Path tokFile = modelFolder.resolve("tokenizer.json");
    if (!Files.isRegularFile(tokFile)) {
      throw new IOException("no tokenizer.json in " + modelFolder
          + " (the model folder must hold the Hugging Face fast-tokenizer file, as BAAI/bge-m3 ships it)");
    }
    TokenizerFile tokJson = TokenizerFile.read(tokFile);
    tokJson.checkEmbeddingRows(embeddingRows);
    Map<String, Integer> vocab = new HashMap<>(tokJson.vocab());
    vocab.putAll(tokJson.addedTokens());
    Path cfgFile = modelFolder.resolve("tokenizer_config.json");
    JsonNode cfg = Files.isRegularFile(cfgFile) ? TokenizerFile.readJson(cfgFile)
        : JsonNodeFactory.instance.objectNode();

    int cls = specialId(cfg, vocab, tokFile, "cls_token", "bos_token", "<s>", "[CLS]");
    int sep = specialId(cfg, vocab, tokFile, "sep_token", "eos_token", "</s>", "[SEP]");
    int pad = specialId(cfg, vocab, tokFile, "pad_token", null, "<pad>", "[PAD]");
    int unk = specialId(cfg, vocab, tokFile, "unk_token", null, "<unk>", "[UNK]");

    HuggingFaceTokenizer hf;
    try {
      hf = HuggingFaceTokenizer.builder()
          .optTokenizerPath(tokFile)
          .optAddSpecialTokens(true)
          .optTruncation(false)
          .optPadding(false)
          .build();
    } catch (RuntimeException e) { // the native library's refusals come as bare RuntimeExceptions
      throw new IOException(tokFile + ": the tokenizer library cannot load it: " + e.getMessage(), e);
    }
    // an added token owns its id; of two vocabulary pieces with one id, either may stand for it
    String[] idToToken = new String[tokJson.idCount()];
    vocab.forEach((tok, id) -> {
      if (idToToken[id] == null || tokJson.addedTokens().containsKey(tok)) {
        idToToken[id] = tok;
      }
    });
    return new M3Tokenizer(hf, cls, sep, pad, unk, idToToken);
  }

  /** Token ids with special tokens, truncated to {@code maxLength} the way Hugging Face truncates a single text. */
  public TokenizedText encode(String text, int maxLength) {
    if (maxLength < 2) {
      throw new IllegalArgumentException("maxLength must be >= 2 (room for the special tokens), got " + maxLength);
    }
    long[] all = tokenizer.encode(text, true, false).getIds();
    int[] ids;
    if (all.length <= maxLength) {
      ids = toInts(all, all.length);
    } else {
      ids = toInts(all, maxLength);
      ids[maxLength - 1] = (int) all[all.length - 1];
    }
    return new TokenizedText(ids, all.length);
  }

  /**
   * The text's pieces without the framing special tokens, untruncated, as Hugging Face's
   * {@code convert_ids_to_tokens} gives them (an unknown character is {@code <unk>}).
   */
  public List<String> pieces(String text) {
    Encoding e = tokenizer.encode(text, true, false);
    long[] ids = e.getIds();
    long[] special = e.getSpecialTokenMask();
    String[] surface = e.getTokens();
    List<String> out = new ArrayList<>(ids.length);
    for (int i = 0; i < ids.length; i++) {
      boolean framing = special[i] != 0 && (i == 0 || i == ids.length - 1);
      if (!framing) {
        int id = (int) ids[i];
        out.add(id >= 0 && id < idToToken.length && idToToken[id] != null ? idToToken[id] : surface[i]);
      }
    }
    return out;
  }

  /** The vocabulary entry of {@code id}, or null. */
  public String token(int id) {
    return id >= 0 && id < idToToken.length ? idToToken[id] : null;
  }

  /** The pieces of {@code encode(text, maxLength)}: at most {@code maxLength − 2}. */
  public List<String> pieces(String text, int maxLength) {
    List<String> all = pieces(text);
    return all.size() <= maxLength - 2 ? all : new ArrayList<>(all.subList(0, maxLength - 2));
  }

  public int padId() {
    return padId;
  }

  public int clsId() {
    return clsId;
  }

  public int sepId() {
    return sepId;
  }

  public int unkId() {
    return unkId;
  }

  /** cls, eos/sep, pad, unk: the ids FlagEmbedding drops from sparse weights. */
  public int[] specialIds() {
    return new int[] {clsId, sepId, padId, unkId};
  }

  @Override
  public void close() {
    tokenizer.close();
  }

  private static int[] toInts(long[] ids, int n) {
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = Math.toIntExact(ids[i]);
    }
    return out;
  }

  private static int specialId(JsonNode cfg, Map<String, Integer> vocab, Path tokFile, String key, String altKey,
      String... fallbacks) throws IOException {
    for (String k : altKey == null ? new String[] {key} : new String[] {key, altKey}) {
      JsonNode n = cfg.get(k);
      if (n != null && !n.isNull()) {
        String content = n.isObject() ? n.path("content").asText() : n.asText();
        Integer id = vocab.get(content);
        if (id == null) {
          throw new IOException("tokenizer_config.json names " + k + " = '" + content + "', which " + tokFile
              + " does not define");
        }
        return id;
      }
    }
    for (String f : fallbacks) {
      Integer id = vocab.get(f);
      if (id != null) {
        return id;
      }
    }
    throw new IOException("cannot find the " + key + " of " + tokFile + ": name it in tokenizer_config.json (tried "
        + Arrays.toString(fallbacks) + ")");
  }
}
