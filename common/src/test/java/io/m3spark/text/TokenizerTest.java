package io.m3spark.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenizerTest {
  static Path folder() throws Exception {
    return Paths.get(TokenizerTest.class.getResource("/tiny-m3/config.json").toURI()).getParent();
  }

  @Test
  void truncatesLikeHuggingFace() throws Exception {
    try (M3Tokenizer tok = M3Tokenizer.load(folder())) {
      String text = "What was the company's total revenue in 2023?";
      TokenizedText full = tok.encode(text, 512);
      assertFalse(full.truncated());
      assertEquals(0, full.ids()[0]);
      assertEquals(2, full.ids()[full.ids().length - 1]);
      TokenizedText cut = tok.encode(text, 6);
      assertTrue(cut.truncated());
      assertEquals(full.ids().length, cut.fullLength());
      int[] want = {full.ids()[0], full.ids()[1], full.ids()[2], full.ids()[3], full.ids()[4], 2};
      assertArrayEquals(want, cut.ids());
      assertEquals(4, tok.pieces(text, 6).size());
      assertEquals(full.ids().length - 2, tok.pieces(text).size());
      assertEquals("<pad>", tok.token(tok.padId()));
    }
  }

  @Test
  void padsWithPadIdAndMask() {
    TokenBatch b = TokenBatch.pad(List.of(TokenizedText.of(0, 5, 2), TokenizedText.of(0, 7, 8, 9, 2)), 1, 4);
    assertArrayEquals(new int[][] {{0, 5, 2, 1, 1, 1, 1, 1}, {0, 7, 8, 9, 2, 1, 1, 1}}, b.ids());
    assertArrayEquals(new int[][] {{1, 1, 1, 0, 0, 0, 0, 0}, {1, 1, 1, 1, 1, 0, 0, 0}}, b.attentionMask());
    assertArrayEquals(new int[] {3, 5}, b.lengths());
    assertEquals(5, TokenBatch.pad(List.of(TokenizedText.of(0, 7, 8, 9, 2)), 1, 1).width());
  }
}
