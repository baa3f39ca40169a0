package io.m3spark.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.m3spark.io.StrictJson;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Hugging Face {@code tokenizer.json}, read and checked before DJL's native tokenizer (or anything that sizes an
 * array by it) sees it. The native library aborts the JVM on some inputs instead of returning an error, so a file is
 * accepted only when:
 *
 * <ul>
 *   <li>it is at most {@value #MAX_BYTES} bytes of JSON without duplicate keys (bge-m3's is 17 MB);
 *   <li>its pipeline uses only the components BERT and XLM-R tokenizers use ({@link TokenizerPipeline});
 *   <li>it has at most {@value #MAX_TOKENS} vocabulary entries and added tokens together (XLM-R has 250,002), and
 *       every token id — vocabulary, added token, unknown token, post-processor special token — lies below that
 *       count, so no id reaches past the tokens the file actually defines.
 * </ul>
 *
 * Every refusal is an {@link IOException} whose message starts with the file and the JSON path of what is wrong.
 */
public final class TokenizerFile {
  /** The largest file accepted. */
  public static final long MAX_BYTES = 64L << 20;
  /** The most vocabulary entries plus added tokens accepted. */
  public static final int MAX_TOKENS = 1 << 20;


  private final Path path;
  private final JsonNode root;
  private final Map<String, Integer> vocab;
  private final Map<String, Integer> added;
  private final int idCount;

  private TokenizerFile(Path path, JsonNode root, Map<String, Integer> vocab, Map<String, Integer> added,
      int idCount) {
    this.path = path;
    this.root = root;
    this.vocab = vocab;
    this.added = added;
    this.idCount = idCount;
  }

  /** Reads and checks {@code file}. */
  public static TokenizerFile read(Path file) throws IOException {
    JsonNode root = readJson(file);
    if (!root.isObject()) {
      throw refused(file, "$", "not a JSON object");
    }
    TokenizerPipeline.check(file, root);
    JsonNode model = root.path("model");
    JsonNode vocabNode = model.path("vocab");
    JsonNode addedNode = root.path("added_tokens");
    if (!addedNode.isMissingNode() && !addedNode.isArray()) {
      throw refused(file, "$.added_tokens", "not a list");
    }
    long entries = (long) vocabNode.size() + addedNode.size();
    if (entries > MAX_TOKENS) {
      throw refused(file, "$.model.vocab", vocabNode.size() + " vocabulary entries and " + addedNode.size()
          + " added tokens exceed " + MAX_TOKENS);
    }
    // an id at or past the number of tokens defined names no token: it would only size arrays and embeddings
    int bound = (int) entries;
    Map<String, Integer> vocab = vocab(file, vocabNode, bound);
    if (model.hasNonNull("unk_id")) {
      id(file, "$.model.unk_id", model.get("unk_id"), vocabNode.size());
    }
    Map<String, Integer> added = new LinkedHashMap<>();
    for (int i = 0; i < addedNode.size(); i++) {
      JsonNode t = addedNode.get(i);
      String where = "$.added_tokens[" + i + "]";
      if (!t.path("content").isTextual()) {
        throw refused(file, where + ".content", "missing or not a string");
      }
      added.put(t.get("content").asText(), id(file, where + ".id", t.path("id"), bound));
    }
    int idCount = 0;
    for (int id : vocab.values()) {
      idCount = Math.max(idCount, id + 1);
    }
    for (int id : added.values()) {
      idCount = Math.max(idCount, id + 1);
    }
    TokenizerPipeline.checkSpecialIds(file, root.path("post_processor"), "$.post_processor", idCount);
    return new TokenizerFile(file, root, Collections.unmodifiableMap(vocab), Collections.unmodifiableMap(added),
        idCount);
  }

  public Path path() {
    return path;
  }

  /** A top-level section ({@code normalizer}, {@code post_processor}, …), or a missing node. */
  public JsonNode section(String name) {
    return root.path(name);
  }

  /** The model's vocabulary: piece → id (the first of a repeated Unigram piece). */
  public Map<String, Integer> vocab() {
    return vocab;
  }

  /** {@code added_tokens}, in file order: content → id. */
  public Map<String, Integer> addedTokens() {
    return added;
  }

  /** One past the largest token id: the embedding rows the tokenizer needs. */
  public int idCount() {
    return idCount;
  }

  /** Refuses a tokenizer with ids past the model's {@code rows} embedding rows ({@code config.json}'s vocab_size). */
  public void checkEmbeddingRows(int rows) throws IOException {
    if (idCount > rows) {
      throw new IOException(path + ": token ids reach " + (idCount - 1) + ", past the model's " + rows
          + " embedding rows (config.json vocab_size): the tokenizer does not belong to this model");
    }
  }

  static IOException refused(Path file, String jsonPath, String problem) {
    return new IOException(file + ": " + jsonPath + ": " + problem);
  }

  /** A WordPiece map (piece → id) or a Unigram list ([piece, score], id by position); none when absent. */
  private static Map<String, Integer> vocab(Path file, JsonNode vocabNode, int bound) throws IOException {
    Map<String, Integer> vocab = new HashMap<>();
    if (vocabNode.isObject()) {
      var fields = vocabNode.fields();
      while (fields.hasNext()) {
        var e = fields.next();
        vocab.put(e.getKey(), id(file, "$.model.vocab[" + quoted(e.getKey()) + "]", e.getValue(), bound));
      }
    } else if (vocabNode.isArray()) {
      for (int i = 0; i < vocabNode.size(); i++) {
        JsonNode entry = vocabNode.get(i);
        JsonNode piece = entry.isArray() ? entry.get(0) : entry;
        if (piece == null || !piece.isTextual()) {
          throw refused(file, "$.model.vocab[" + i + "]", "not a [piece, score] pair");
        }
        vocab.putIfAbsent(piece.asText(), i);
      }
    } else if (!vocabNode.isMissingNode()) {
      throw refused(file, "$.model.vocab", "neither a WordPiece map nor a Unigram list");
    }
    return vocab;
  }

  /**
   * A tokenizer file's JSON ({@code tokenizer.json}, {@code tokenizer_config.json}): at most {@value #MAX_BYTES}
   * bytes, no duplicate keys (the native library might not pick the value checked here), errors naming the file.
   */
  static JsonNode readJson(Path file) throws IOException {
    byte[] bytes = null;
    if (Files.size(file) <= MAX_BYTES) {
      try (InputStream in = Files.newInputStream(file)) {
        bytes = in.readNBytes((int) MAX_BYTES + 1); // the file may have grown since
      }
    }
    if (bytes == null || bytes.length > MAX_BYTES) {
      throw new IOException(file + ": larger than the " + MAX_BYTES + " bytes a tokenizer file may have");
    }
    try {
      return StrictJson.READER.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw new IOException(file + ": not valid JSON: " + e.getOriginalMessage()
          + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"), e);
    }
  }

  static int id(Path file, String where, JsonNode n, int bound) throws IOException {
    if (!n.isInt() || n.intValue() < 0 || n.intValue() >= bound) {
      throw refused(file, where, "token id " + (n.isMissingNode() ? "missing" : n.isValueNode() ? n.asText()
          : "not a number") + " is not within [0, " + bound + "), the tokens this file defines");
    }
    return n.intValue();
  }

  /** A value from the file, quoted and cut short so that a hostile one cannot flood the message. */
  static String quoted(String value) {
    return "'" + (value.length() > 60 ? value.substring(0, 60) + "…" : value) + "'";
  }
}
