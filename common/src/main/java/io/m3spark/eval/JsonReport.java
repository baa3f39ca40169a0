package io.m3spark.eval;

import io.m3spark.io.AtomicFiles;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;

/** The flat JSON report {@code {"ndcg_at_10": 0.61234, ...}}, values rounded to 5 decimals. */
public final class JsonReport {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private JsonReport() {}

  public static String render(EvaluationResult result) throws IOException {
    return JSON.writeValueAsString(result.rounded()) + "\n";
  }

  public static void write(Path target, EvaluationResult result) throws IOException {
    AtomicFiles.writeString(target, render(result));
  }
}
