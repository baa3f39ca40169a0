package io.m3spark.jobs.prepare;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** FlagEmbedding-style passage ids: {@code doc_} + the first 12 hex digits of the MD5 of the UTF-8 text. */
final class PassageIds {
  private PassageIds() {}

  static String of(String text) {
    try {
      byte[] md5 = MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8));
      return "doc_" + HexFormat.of().formatHex(md5).substring(0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is required of every JVM", e);
    }
  }
}
