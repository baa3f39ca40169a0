package io.m3spark.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A Hugging Face {@code config.json} for an XLM-RoBERTa or BERT encoder. The typed getters read the keys the forward
 * pass needs; every key (known or not) is kept in the underlying JSON, so {@link #write} gives the file back unchanged.
 */
public final class ModelConfig {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** Position ids: XLM-R counts from {@code pad_token_id + 1} over non-pad tokens, BERT from 0. */
  public enum Family { XLM_ROBERTA, BERT }

  /** GELU variants. */
  public enum Activation { GELU_ERF, GELU_TANH, RELU }

  private final ObjectNode json;

  private ModelConfig(ObjectNode json) {
    this.json = json;
    validate();
  }

  public static ModelConfig read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException("no config.json at " + file);
    }
    return parse(Files.readString(file));
  }

  public static ModelConfig parse(String jsonText) throws IOException {
    JsonNode n = JSON.readTree(jsonText);
    if (!(n instanceof ObjectNode o)) {
      throw new IOException("config.json is not a JSON object");
    }
    return new ModelConfig(o);
  }

  public static ModelConfig of(ObjectNode json) {
    return new ModelConfig(json.deepCopy());
  }

  public void write(Path file) throws IOException {
    Files.writeString(file, toJson());
  }

  public String toJson() {
    try {
      return JSON.writeValueAsString(json) + "\n";
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A copy of the whole JSON object, unknown keys included. */
  public ObjectNode json() {
    return json.deepCopy();
  }

  private void validate() {
    for (String k : new String[] {"vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads",
        "intermediate_size", "max_position_embeddings"}) {
      if (!json.path(k).canConvertToInt() || json.path(k).asInt() <= 0) {
        throw new IllegalArgumentException("config.json: '" + k + "' must be a positive integer, got " + json.get(k));
      }
    }
    if (hiddenSize() % numAttentionHeads() != 0) {
      throw new IllegalArgumentException("config.json: hidden_size " + hiddenSize()
          + " is not a multiple of num_attention_heads " + numAttentionHeads());
    }
    family();
    activation();
    // pad_token_id indexes the vocabulary and, for XLM-R, offsets the position table: out of range it would index
    // past either (the sizes themselves are checked against the weights' shapes when a model loads)
    if (json.has("pad_token_id") && (!json.get("pad_token_id").canConvertToInt() || padTokenId() < 0
        || padTokenId() >= vocabSize())) {
      throw new IllegalArgumentException("config.json: 'pad_token_id' must be an integer in [0, vocab_size "
          + vocabSize() + "), got " + json.get("pad_token_id"));
    }
    if (json.has("type_vocab_size") && (!json.get("type_vocab_size").canConvertToInt() || typeVocabSize() <= 0)) {
      throw new IllegalArgumentException("config.json: 'type_vocab_size' must be a positive integer, got "
          + json.get("type_vocab_size"));
    }
    if (maxInputLength() < 1) {
      throw new IllegalArgumentException("config.json: max_position_embeddings " + maxPositionEmbeddings()
          + " leaves no room for input after pad_token_id " + padTokenId());
    }
  }

  public String modelType() {
    return json.path("model_type").asText("xlm-roberta");
  }

  public Family family() {
    String t = modelType();
    return switch (t) {
      case "xlm-roberta", "roberta", "camembert" -> Family.XLM_ROBERTA;
      case "bert" -> Family.BERT;
      default -> throw new IllegalArgumentException("config.json: model_type '" + t
          + "' is not supported (xlm-roberta, roberta or bert)");
    };
  }

  public int vocabSize() {
    return json.get("vocab_size").asInt();
  }

  public int hiddenSize() {
    return json.get("hidden_size").asInt();
  }

  public int numHiddenLayers() {
    return json.get("num_hidden_layers").asInt();
  }

  public int numAttentionHeads() {
    return json.get("num_attention_heads").asInt();
  }

  public int intermediateSize() {
    return json.get("intermediate_size").asInt();
  }

  public String hiddenAct() {
    return json.path("hidden_act").asText("gelu");
  }

  public Activation activation() {
    String a = hiddenAct();
    return switch (a) {
      case "gelu" -> Activation.GELU_ERF;
      case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> Activation.GELU_TANH;
      case "relu" -> Activation.RELU;
      default -> throw new IllegalArgumentException("config.json: hidden_act '" + a
          + "' is not supported (gelu, gelu_new, gelu_pytorch_tanh, gelu_fast, relu)");
    };
  }

  public float hiddenDropoutProb() {
    return (float) json.path("hidden_dropout_prob").asDouble(0.1);
  }

  public float attentionProbsDropoutProb() {
    return (float) json.path("attention_probs_dropout_prob").asDouble(0.1);
  }

  public int maxPositionEmbeddings() {
    return json.get("max_position_embeddings").asInt();
  }

  public int typeVocabSize() {
    return json.path("type_vocab_size").asInt(family() == Family.BERT ? 2 : 1);
  }

  public float layerNormEps() {
    return (float) json.path("layer_norm_eps").asDouble(family() == Family.BERT ? 1e-12 : 1e-5);
  }

  public int padTokenId() {
    return json.path("pad_token_id").asInt(family() == Family.BERT ? 0 : 1);
  }

  /** The longest input (specials included) the position table allows. */
  public int maxInputLength() {
    return family() == Family.XLM_ROBERTA ? maxPositionEmbeddings() - padTokenId() - 1 : maxPositionEmbeddings();
  }

  @Override
  public String toString() {
    return "ModelConfig" + json;
  }
}
