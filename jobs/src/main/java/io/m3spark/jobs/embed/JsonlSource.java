package io.m3spark.jobs.embed;

import java.util.List;
import java.util.Objects;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/** Reads JSONL corpus or query files as validated records, numbered per file ({@link NumberedLines}). */
public final class JsonlSource {

  private JsonlSource() {}

  public static JavaRDD<ParsedRecord> read(JavaSparkContext sc, List<InputFiles.InputFile> files, TextComposer composer) {
    return NumberedLines.read(sc, files)
        .map(line -> RecordValidator.fromJsonLine(line.order(), new SourcePosition(line.file(), line.number(), false),
            line.bytes(), composer))
        .filter(Objects::nonNull); // blank lines
  }
}
