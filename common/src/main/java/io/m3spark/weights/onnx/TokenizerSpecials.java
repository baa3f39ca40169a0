package io.m3spark.weights.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.m3spark.text.TokenizerFile;
import io.m3spark.weights.WeightsFormatException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The special tokens and casing of a Hugging Face {@code tokenizer.json}, and the {@code tokenizer_config.json} /
 * {@code special_tokens_map.json} that name them — which DJL's tokenizer and FlagEmbedding read for padding.
 *
 * <p>Tokens are recognised by their content in {@code added_tokens} (and the post-processor's special tokens):
 * BERT's {@code [PAD] [CLS] [SEP] [UNK] [MASK]} or XLM-R's {@code <pad> <s> </s> <unk> <mask>}. A pad token is
 * required: without one, padding would silently use id 0.
 */
record TokenizerSpecials(String pad, int padId, String cls, String sep, String unk, String mask,
    boolean doLowerCase) {
  static TokenizerSpecials read(Path tokenizerJson) throws IOException {
    TokenizerFile file = TokenizerFile.read(tokenizerJson);
    Map<String, Integer> ids = new HashMap<>(file.addedTokens());
    file.section("post_processor").path("special_tokens").fields().forEachRemaining(e -> {
      JsonNode idList = e.getValue().path("ids");
      if (idList.size() == 1) {
        ids.putIfAbsent(e.getKey(), idList.get(0).asInt());
      }
    });
    String pad = pick(ids, "[PAD]", "<pad>");
    if (pad == null) {
      throw new WeightsFormatException(tokenizerJson, "no pad token ([PAD] or <pad>) among added_tokens");
    }
    return new TokenizerSpecials(pad, ids.get(pad), pick(ids, "[CLS]", "<s>"), pick(ids, "[SEP]", "</s>"),
        pick(ids, "[UNK]", "<unk>"), pick(ids, "[MASK]", "<mask>"), lowercases(file.section("normalizer")));
  }

  private static String pick(Map<String, Integer> ids, String bert, String xlmr) {
    return ids.containsKey(bert) ? bert : ids.containsKey(xlmr) ? xlmr : null;
  }

  /** BertNormalizer's {@code lowercase} flag, or a {@code Lowercase} step anywhere in a normalizer Sequence. */
  private static boolean lowercases(JsonNode normalizer) {
    String type = normalizer.path("type").asText("");
    return switch (type) {
      case "BertNormalizer" -> normalizer.path("lowercase").asBoolean(false);
      case "Lowercase" -> true;
      case "Sequence" -> {
        boolean any = false;
        for (JsonNode n : normalizer.path("normalizers")) {
          any |= lowercases(n);
        }
        yield any;
      }
      default -> false;
    };
  }

  /** {@code tokenizer_config.json}: the special tokens, casing and the model's longest input. */
  ObjectNode tokenizerConfig(String modelType, int modelMaxLength) {
    ObjectNode o = specialTokensMap();
    o.put("tokenizer_class", modelType.equals(EncoderConfig.BERT) ? "BertTokenizer" : "XLMRobertaTokenizer");
    o.put("do_lower_case", doLowerCase);
    o.put("model_max_length", modelMaxLength);
    o.put("padding_side", "right");
    o.put("clean_up_tokenization_spaces", true);
    return o;
  }

  /** {@code special_tokens_map.json}: role → token, for the roles this tokenizer has. */
  ObjectNode specialTokensMap() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    Map<String, String> roles = new LinkedHashMap<>();
    roles.put("cls_token", cls);
    roles.put("mask_token", mask);
    roles.put("pad_token", pad);
    roles.put("sep_token", sep);
    roles.put("unk_token", unk);
    roles.forEach((role, token) -> {
      if (token != null) {
        o.put(role, token);
      }
    });
    return o;
  }
}
