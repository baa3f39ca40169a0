package io.m3spark.weights.onnx;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The Hugging Face {@code config.json} of an imported BERT or XLM-R encoder, as inferred from the ONNX graph.
 *
 * @param modelType {@code bert} or {@code xlm-roberta}
 * @param maxPositionEmbeddings rows of the position table (XLM-R's includes its offset of pad id + 1)
 */
public record EncoderConfig(String modelType, int vocabSize, int hiddenSize, int numHiddenLayers,
    int numAttentionHeads, int intermediateSize, int maxPositionEmbeddings, int typeVocabSize, double layerNormEps,
    String hiddenAct, int padTokenId) {

  public static final String BERT = "bert";
  public static final String XLM_ROBERTA = "xlm-roberta";

  /** Longest input the model accepts, in tokens: XLM-R's first pad id + 1 position rows are never used. */
  public int maxTokens() {
    return modelType.equals(XLM_ROBERTA) ? maxPositionEmbeddings - padTokenId - 1 : maxPositionEmbeddings;
  }

  /** The config.json content, with Hugging Face's BERT defaults for what an inference graph cannot show (dropout). */
  public ObjectNode toJson() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.putArray("architectures").add(modelType.equals(BERT) ? "BertModel" : "XLMRobertaModel");
    o.put("model_type", modelType);
    o.put("vocab_size", vocabSize);
    o.put("hidden_size", hiddenSize);
    o.put("num_hidden_layers", numHiddenLayers);
    o.put("num_attention_heads", numAttentionHeads);
    o.put("intermediate_size", intermediateSize);
    o.put("hidden_act", hiddenAct);
    o.put("hidden_dropout_prob", 0.1);
    o.put("attention_probs_dropout_prob", 0.1);
    o.put("max_position_embeddings", maxPositionEmbeddings);
    o.put("type_vocab_size", typeVocabSize);
    o.put("initializer_range", 0.02);
    o.put("layer_norm_eps", layerNormEps);
    o.put("pad_token_id", padTokenId);
    o.put("position_embedding_type", "absolute");
    o.put("torch_dtype", "float32");
    return o;
  }
}
