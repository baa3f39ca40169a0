package io.m3spark.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The allow-list a {@code tokenizer.json} pipeline must keep to: the normalizer, pre-tokenizer, post-processor,
 * decoder and model types that BERT (WordPiece) and XLM-R (Unigram) tokenizers use, plus pattern-free Unicode steps.
 * Patterns are where the native tokenizer can run away: its regular expressions backtrack, and a pattern such as
 * {@code (a+)+$} aborts the JVM mid-encode. A literal {@code String} pattern is accepted; a {@code Regex} only when it
 * is one these tokenizers ship (XLM-R's conversion collapses runs of spaces with {@code " {2,}"}).
 */
final class TokenizerPipeline {
  private static final List<String> SECTIONS = List.of("normalizer", "pre_tokenizer", "post_processor", "decoder",
      "model");
  private static final Map<String, Set<String>> TYPES = Map.of(
      "normalizer", Set.of("BertNormalizer", "Precompiled", "Replace", "Lowercase", "NFC", "NFD", "NFKC", "NFKD",
          "Strip", "StripAccents", "Sequence"),
      "pre_tokenizer", Set.of("BertPreTokenizer", "Metaspace", "Whitespace", "WhitespaceSplit", "Punctuation",
          "Digits", "Split", "Sequence"),
      "post_processor", Set.of("TemplateProcessing", "RobertaProcessing", "BertProcessing", "Sequence"),
      "decoder", Set.of("WordPiece", "Metaspace", "Replace", "Strip", "Fuse", "ByteFallback", "Sequence"),
      "model", Set.of("WordPiece", "Unigram"));
  /** Where each section's {@code Sequence} lists its steps. */
  private static final Map<String, String> STEPS = Map.of("normalizer", "normalizers", "pre_tokenizer",
      "pretokenizers", "post_processor", "processors", "decoder", "decoders");
  private static final Set<String> REGEXES = Set.of(" {2,}");
  /** Real tokenizers nest one Sequence; deeper nesting only costs stack in the native deserialiser. */
  private static final int MAX_DEPTH = 4;

  private TokenizerPipeline() {}

  /** Refuses {@code root} unless every pipeline component it names is on the allow-list. */
  static void check(Path file, JsonNode root) throws IOException {
    for (String section : SECTIONS) {
      JsonNode n = root.path(section);
      if (!n.isMissingNode() && !n.isNull()) {
        component(file, section, n, "$." + section, 0); // an absent one is the native library's to refuse
      }
    }
  }

  /** Refuses post-processor special-token ids outside {@code [0, idCount)}. */
  static void checkSpecialIds(Path file, JsonNode processor, String where, int idCount) throws IOException {
    switch (processor.path("type").asText("")) {
      case "RobertaProcessing", "BertProcessing" -> {
        for (String role : new String[] {"cls", "sep"}) {
          JsonNode pair = processor.path(role);
          if (!pair.isArray() || pair.size() != 2 || !pair.get(0).isTextual()) {
            throw TokenizerFile.refused(file, where + "." + role, "not a [token, id] pair");
          }
          TokenizerFile.id(file, where + "." + role + "[1]", pair.get(1), idCount);
        }
      }
      case "TemplateProcessing" -> {
        Iterator<Map.Entry<String, JsonNode>> tokens = processor.path("special_tokens").fields();
        while (tokens.hasNext()) {
          Map.Entry<String, JsonNode> t = tokens.next();
          JsonNode ids = t.getValue().path("ids");
          for (int i = 0; i < ids.size(); i++) {
            TokenizerFile.id(file, where + ".special_tokens[" + TokenizerFile.quoted(t.getKey()) + "].ids[" + i + "]",
                ids.get(i), idCount);
          }
        }
      }
      case "Sequence" -> {
        JsonNode steps = processor.path("processors");
        for (int i = 0; i < steps.size(); i++) {
          checkSpecialIds(file, steps.get(i), where + ".processors[" + i + "]", idCount);
        }
      }
      default -> { } // none, or a type check() has refused already
    }
  }

  private static void component(Path file, String section, JsonNode n, String where, int depth) throws IOException {
    JsonNode typeNode = n.path("type");
    if (!n.isObject() || !typeNode.isTextual()) {
      throw TokenizerFile.refused(file, where + ".type", "missing: each " + section + " must name its type");
    }
    String type = typeNode.asText();
    if (!TYPES.get(section).contains(type)) {
      throw TokenizerFile.refused(file, where + ".type", TokenizerFile.quoted(type) + " is not a " + section
          + " BERT or XLM-R tokenizers use; accepted: " + String.join(", ", new TreeSet<>(TYPES.get(section))));
    }
    if (n.has("pattern")) {
      pattern(file, n.get("pattern"), where + ".pattern");
    }
    if (type.equals("Sequence")) {
      if (depth >= MAX_DEPTH) {
        throw TokenizerFile.refused(file, where, "Sequences nested deeper than " + MAX_DEPTH);
      }
      String field = STEPS.get(section);
      JsonNode steps = n.path(field);
      if (!steps.isArray()) {
        throw TokenizerFile.refused(file, where + "." + field, "missing or not a list");
      }
      for (int i = 0; i < steps.size(); i++) {
        component(file, section, steps.get(i), where + "." + field + "[" + i + "]", depth + 1);
      }
    }
  }

  private static void pattern(Path file, JsonNode p, String where) throws IOException {
    if (p.isObject() && p.size() == 1 && p.path("String").isTextual()) {
      return; // matched literally
    }
    if (p.isObject() && p.size() == 1 && p.path("Regex").isTextual()) {
      String regex = p.get("Regex").asText();
      if (REGEXES.contains(regex)) {
        return;
      }
      throw TokenizerFile.refused(file, where + ".Regex", "regular expression " + TokenizerFile.quoted(regex)
          + " is not one BERT or XLM-R tokenizers use (accepted: " + String.join(", ", REGEXES.stream()
          .map(TokenizerFile::quoted).sorted().toList()) + "); the native tokenizer's backtracking matcher can "
          + "abort the JVM on patterns outside what it is known to run");
    }
    throw TokenizerFile.refused(file, where, "must be {\"String\": …} or {\"Regex\": …}");
  }
}
