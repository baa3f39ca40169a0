package io.m3spark.eval;

import java.nio.file.Path;

/**
 * Parses one TREC run line {@code qid Q0 docid rank score tag}. Like trec_eval, fields after the sixth are ignored and
 * rank is not read (ranks come from sorting by score). Unlike trec_eval, which reads a non-numeric score as 0 with
 * {@code atof}, a bad score is an error.
 */
final class TrecRunLine {
  String qid;
  String docid;
  double score;
  private final String[] fields = new String[6];

  /** Parses {@code line}; returns false for a blank line. */
  boolean parse(Path file, long lineNo, String line) throws EvalInputException {
    int n = WhitespaceFields.split(line, fields);
    if (n == 0) {
      return false;
    }
    if (n < 6) {
      throw new EvalInputException(file, lineNo,
          "expected 6 fields 'qid Q0 docid rank score tag' in a TREC run line, found " + n);
    }
    qid = fields[0];
    docid = fields[2];
    try {
      score = Double.parseDouble(fields[4]);
    } catch (NumberFormatException e) {
      throw new EvalInputException(file, lineNo, "field 5 (score): not a number: '" + fields[4] + "'");
    }
    if (Double.isNaN(score)) {
      throw new EvalInputException(file, lineNo, "field 5 (score): NaN cannot be ranked");
    }
    return true;
  }
}
