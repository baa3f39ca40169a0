package io.m3spark.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.m3spark.model.LoadOptions;
import io.m3spark.model.M3Model;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tokenizer.json files that would abort the JVM inside the native tokenizer or size arrays by ids the file does not
 * define are refused, naming the file and the JSON path, before the native library sees them; the real tokenizers
 * (tiny-m3, bge-small-en-v1.5, and bge-m3's pipeline shape) load. No test here encodes text with a refused file: on a
 * build without the check that would abort the test JVM.
 */
class TokenizerFileTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  @Test
  void theRealTokenizersLoad() throws Exception {
    TokenizerFile tiny = TokenizerFile.read(TokenizerTest.folder().resolve("tokenizer.json"));
    assertEquals(4002, tiny.idCount());
    Path bgeSmall = tmp.resolve("tokenizer.json");
    try (InputStream in = getClass().getResourceAsStream("/bge-small-en-v1.5-tokenizer.json")) {
      Files.copy(in, bgeSmall);
    }
    assertEquals(30522, TokenizerFile.read(bgeSmall).idCount());

    // bge-m3's pipeline: the Precompiled charsmap followed by XLM-R's space-collapsing Replace, and the legacy
    // Metaspace spelling; it loads and tokenises as tiny-m3 does
    ObjectNode reference = tiny();
    Path m3Like = tinyWith(t -> {
      ObjectNode n = t.putObject("normalizer");
      n.put("type", "Sequence");
      ArrayNode steps = n.putArray("normalizers");
      steps.add(reference.get("normalizer").get("normalizers").get(0));
      steps.addObject().put("type", "Replace").put("content", " ").putObject("pattern").put("Regex", " {2,}");
      ((ObjectNode) t.get("pre_tokenizer")).put("add_prefix_space", true);
    });
    try (M3Tokenizer plain = M3Tokenizer.load(TokenizerTest.folder());
        M3Tokenizer m3 = M3Tokenizer.load(m3Like.getParent())) {
      String text = "What was the company's   total revenue in 2023?";
      assertArrayEquals(plain.encode(text.replace("   ", " "), 64).ids(), m3.encode(text, 64).ids());
    }
  }

  @Test
  void aBacktrackingSplitPatternIsRefusedBeforeTheNativeTokenizer() throws Exception {
    ObjectNode metaspace = (ObjectNode) tiny().get("pre_tokenizer");
    Path file = tinyWith(t -> {
      ObjectNode pre = t.putObject("pre_tokenizer");
      pre.put("type", "Sequence");
      ArrayNode steps = pre.putArray("pretokenizers");
      steps.add(metaspace);
      ObjectNode split = steps.addObject().put("type", "Split").put("behavior", "Isolated").put("invert", false);
      split.putObject("pattern").put("Regex", "(a+)+$");
    });
    IOException e = assertThrows(IOException.class, () -> M3Tokenizer.load(file.getParent()));
    assertTrue(e.getMessage().startsWith(file + ": $.pre_tokenizer.pretokenizers[1].pattern.Regex: regular "
        + "expression '(a+)+$' is not one BERT or XLM-R tokenizers use"), e.getMessage());
  }

  @Test
  void componentsAndPatternsOutsideTheAllowListAreRefused() throws Exception {
    assertRefused(t -> t.putObject("pre_tokenizer").put("type", "ByteLevel"), "$.pre_tokenizer.type: 'ByteLevel' "
        + "is not a pre_tokenizer BERT or XLM-R tokenizers use");
    assertRefused(t -> ((ObjectNode) t.get("normalizer").get("normalizers").get(0)).removeAll()
        .put("type", "Replace").put("content", "").putObject("pattern").put("Regex", "(x|x)*y"),
        "$.normalizer.normalizers[0].pattern.Regex: regular expression '(x|x)*y'");
    assertRefused(t -> t.putObject("model").put("type", "BPE"), "$.model.type: 'BPE' is not a model");
    assertRefused(t -> t.putObject("decoder").put("type", "Split"), "$.decoder.type: 'Split'");
    // allowed, yet malformed for the library: its refusal names the file too
    assertRefused(t -> ((ObjectNode) t.get("model")).put("type", "WordPiece"), "the tokenizer library cannot load it");
  }

  @Test
  void idsPastTheTokensTheFileDefinesAreRefused() throws Exception {
    // the added-token id of issue 11: sized a 2-billion-entry array before
    assertRefused(t -> addedMask(t).put("id", 1_999_999_999), "$.added_tokens[4].id: token id 1999999999 is not "
        + "within [0, 4007), the tokens this file defines");
    assertRefused(t -> addedMask(t).put("id", 99_999_999_999L), "$.added_tokens[4].id: token id 99999999999");
    assertRefused(t -> addedMask(t).put("id", -1), "$.added_tokens[4].id: token id -1");
    assertRefused(t -> addedMask(t).put("id", "4001"), "$.added_tokens[4].id: token id 4001 is not");
    assertRefused(t -> ((ObjectNode) t.get("model")).put("unk_id", 4002), "$.model.unk_id: token id 4002");
    assertRefused(t -> ((ObjectNode) t.get("post_processor")).putArray("cls").add("<s>").add(1_999_999_999),
        "$.post_processor.cls[1]: token id 1999999999");

    Path bgeSmall = tmp.resolve("bge-small.json");
    try (InputStream in = getClass().getResourceAsStream("/bge-small-en-v1.5-tokenizer.json")) {
      ObjectNode t = (ObjectNode) JSON.readTree(in);
      ((ObjectNode) t.get("model").get("vocab")).put("the", 1_999_999_999);
      JSON.writeValue(bgeSmall.toFile(), t);
    }
    IOException e = assertThrows(IOException.class, () -> TokenizerFile.read(bgeSmall));
    assertTrue(e.getMessage().startsWith(bgeSmall + ": $.model.vocab['the']: token id 1999999999"), e.getMessage());
  }

  @Test
  void aTokenizerWithMoreIdsThanTheModelHasEmbeddingRowsIsRefused() throws Exception {
    Path folder = tmp.resolve("model");
    Files.createDirectories(folder);
    try (var files = Files.list(TokenizerTest.folder())) {
      for (Path f : files.toList()) {
        Files.copy(f, folder.resolve(f.getFileName()));
      }
    }
    ObjectNode t = tiny();
    ((ArrayNode) t.get("added_tokens")).addObject().put("id", 4002).put("content", "<extra>").put("single_word", false)
        .put("lstrip", false).put("rstrip", false).put("normalized", false).put("special", true);
    JSON.writeValue(folder.resolve("tokenizer.json").toFile(), t);
    IOException e = assertThrows(IOException.class,
        () -> M3Model.load(folder, LoadOptions.defaults()).close());
    assertTrue(e.getMessage().startsWith(folder.resolve("tokenizer.json") + ": token ids reach 4002, past the "
        + "model's 4002 embedding rows (config.json vocab_size)"), e.getMessage());
  }

  @Test
  void oversizedDuplicateKeyedOrHugeVocabularyFilesAreRefused() throws Exception {
    Path big = tmp.resolve("big/tokenizer.json");
    Files.createDirectories(big.getParent());
    try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
      f.setLength(TokenizerFile.MAX_BYTES + 1); // sparse: nothing is written
    }
    IOException tooBig = assertThrows(IOException.class, () -> TokenizerFile.read(big));
    assertTrue(tooBig.getMessage().startsWith(big + ": larger than the 67108864 bytes"), tooBig.getMessage());

    Path dup = Files.writeString(tmp.resolve("dup.json"), "{\"pre_tokenizer\":{\"type\":\"Metaspace\","
        + "\"type\":\"Split\"}}");
    IOException duplicate = assertThrows(IOException.class, () -> TokenizerFile.read(dup));
    assertTrue(duplicate.getMessage().startsWith(dup + ": not valid JSON: Duplicate field 'type'"),
        duplicate.getMessage());

    StringBuilder vocab = new StringBuilder("{\"model\":{\"type\":\"Unigram\",\"vocab\":[");
    for (int i = 0; i <= TokenizerFile.MAX_TOKENS; i++) {
      vocab.append(i == 0 ? "" : ",").append("[\"a\",0]");
    }
    Path huge = Files.writeString(tmp.resolve("huge.json"), vocab.append("]}}"));
    IOException tooMany = assertThrows(IOException.class, () -> TokenizerFile.read(huge));
    assertTrue(tooMany.getMessage().startsWith(huge + ": $.model.vocab: 1048577 vocabulary entries and 0 added "
        + "tokens exceed 1048576"), tooMany.getMessage());
  }

  private static ObjectNode tiny() throws Exception {
    return (ObjectNode) JSON.readTree(TokenizerTest.folder().resolve("tokenizer.json").toFile());
  }

  private static ObjectNode addedMask(ObjectNode t) {
    return (ObjectNode) t.get("added_tokens").get(4);
  }

  /** tiny-m3's tokenizer.json, changed by {@code change}, in a folder of its own with tiny-m3's tokenizer_config. */
  private Path tinyWith(Consumer<ObjectNode> change) throws Exception {
    ObjectNode t = tiny();
    change.accept(t);
    Path folder = Files.createTempDirectory(tmp, "tok");
    Files.copy(TokenizerTest.folder().resolve("tokenizer_config.json"), folder.resolve("tokenizer_config.json"));
    Path file = folder.resolve("tokenizer.json");
    JSON.writeValue(file.toFile(), t);
    return file;
  }

  private void assertRefused(Consumer<ObjectNode> change, String expected) throws Exception {
    Path file = tinyWith(change);
    IOException e = assertThrows(IOException.class, () -> M3Tokenizer.load(file.getParent()));
    assertTrue(e.getMessage().startsWith(file + ": " + expected), e.getMessage());
  }
}
