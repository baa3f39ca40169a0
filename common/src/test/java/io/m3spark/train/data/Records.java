package io.m3spark.train.data;

import io.m3spark.io.ParsedLine;
import io.m3spark.io.TrainRecordReader;

/** Test records parsed the way real input is, so file and line travel with them. */
final class Records {
  private Records() {}

  static ParsedLine.Good line(String file, long line, String json) {
    ParsedLine parsed = new TrainRecordReader(false).parse(file, line, json);
    if (!(parsed instanceof ParsedLine.Good good)) {
      throw new AssertionError("bad test record: " + parsed);
    }
    return good;
  }

  static ParsedLine.Good line(String json) {
    return line("t.jsonl", 1, json);
  }
}
