package io.m3spark.eval;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Tells the run formats apart by content: TREC unless the first non-blank character is '{'; then the first object's
 * top-level field names decide ({@code hits}/{@code qid} → our JSONL, {@code search_results}/{@code eval_name} →
 * FlagEmbedding). Only the first object's keys are streamed, never a whole FlagEmbedding file.
 */
final class RunFormatDetector {
  private static final JsonFactory JSON = new JsonFactory();

  private RunFormatDetector() {}

  static RunFormat resolve(Path file, RunFormat requested) throws IOException {
    if (requested != RunFormat.AUTO) {
      return requested;
    }
    if (!FirstChar.startsJson(FirstChar.firstNonBlankLine(file))) {
      return RunFormat.TREC;
    }
    try (JsonParser p = JSON.createParser(file.toFile())) {
      p.nextToken();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.getCurrentName();
        switch (name) {
          case "hits", "qid":
            return RunFormat.JSONL;
          case "search_results", "eval_name", "model_name", "reranker_name":
            return RunFormat.FLAGEMBEDDING;
          default:
            p.nextToken();
            p.skipChildren();
        }
      }
    }
    throw new EvalInputException(file, "cannot tell the run format: a JSON object with neither 'hits' (search JSONL)"
        + " nor 'search_results' (FlagEmbedding); pass --run_format");
  }
}
