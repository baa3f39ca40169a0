package io.m3spark.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;

/**
 * The one JSON reader configuration for what we read from users and model files (training JSONL, corpus and query
 * files, qrels, runs, tokenizer and safetensors headers, DeepSpeed configs): a key that
 * appears twice in an object is an error (Python's {@code json} and a default Jackson mapper keep the last value, so the
 * two readers of one file would disagree silently), and anything after the value on the same line is an error (two
 * records glued together would otherwise lose the second). A parser from {@code READER.createParser} (for a file read
 * value by value) keeps the duplicate check; the trailing-content check is for whole lines only.
 */
public final class StrictJson {
  /** Reads one value; {@code readTree(line)}. */
  public static final ObjectReader READER = new ObjectMapper()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .reader()
      .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /**
   * As {@link #READER}, also accepting Python's {@code NaN}/{@code Infinity} literals, for readers that report a
   * non-finite number as what it is rather than as malformed JSON.
   */
  public static final ObjectReader READER_WITH_NAN = READER.with(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS);

  private StrictJson() {}
}
