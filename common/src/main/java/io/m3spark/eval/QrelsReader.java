package io.m3spark.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.m3spark.io.StrictJson;
import io.m3spark.io.TextLines;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads qrels in TREC ({@code qid 0 docid rel}) or FlagEmbedding JSONL ({@code {"qid","docid","relevance"}}) format.
 * Ids are strings (a JSON number id becomes its text). A repeated (qid, docid) is an error, as in trec_eval, because
 * the two grades would silently compete. Blank lines are skipped. Lines are read by {@link TextLines} (strict UTF-8, a
 * byte-order mark dropped: left in, it becomes part of the first qid and that query loses its judgements) and JSON
 * by {@link StrictJson}.
 */
public final class QrelsReader {
  private QrelsReader() {}

  public static Qrels read(Path file, QrelsFormat format) throws IOException {
    QrelsFormat f = format == QrelsFormat.AUTO ? detect(file) : format;
    Map<String, Map<String, Integer>> grades = new LinkedHashMap<>();
    try (TextLines r = TextLines.open(file)) {
      String[] fields = new String[4];
      long lineNo = 0;
      for (String line = r.next(); line != null; line = r.next()) {
        lineNo++;
        if (WhitespaceFields.isBlank(line)) {
          continue;
        }
        if (f == QrelsFormat.JSONL) {
          readJsonLine(file, lineNo, line, grades);
        } else {
          readTrecLine(file, lineNo, line, fields, grades);
        }
      }
    }
    return new Qrels(grades);
  }

  static QrelsFormat detect(Path file) throws IOException {
    return FirstChar.startsJson(FirstChar.firstNonBlankLine(file)) ? QrelsFormat.JSONL : QrelsFormat.TREC;
  }

  private static void readTrecLine(Path file, long lineNo, String line, String[] fields,
      Map<String, Map<String, Integer>> grades) throws EvalInputException {
    int n = WhitespaceFields.split(line, fields);
    if (n != 4) {
      throw new EvalInputException(file, lineNo,
          "expected 4 fields 'qid iter docid relevance' in a TREC qrels line, found " + n);
    }
    int relevance;
    try {
      relevance = Integer.parseInt(fields[3]);
    } catch (NumberFormatException e) {
      throw new EvalInputException(file, lineNo, "field 4 (relevance): not an integer: '" + fields[3] + "'");
    }
    put(file, lineNo, grades, fields[0], fields[2], relevance);
  }

  private static void readJsonLine(Path file, long lineNo, String line, Map<String, Map<String, Integer>> grades)
      throws EvalInputException {
    JsonNode node;
    try {
      node = StrictJson.READER.readTree(line);
    } catch (JsonProcessingException e) {
      throw new EvalInputException(file, lineNo, "not a JSON object: " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      throw new EvalInputException(file, lineNo, "not a JSON object");
    }
    String qid = idField(file, lineNo, node, "qid");
    String docid = idField(file, lineNo, node, "docid");
    JsonNode rel = node.get("relevance");
    if (rel == null || !rel.isIntegralNumber() || !rel.canConvertToInt()) {
      throw new EvalInputException(file, lineNo, "field 'relevance': expected an integer, got " + rel);
    }
    put(file, lineNo, grades, qid, docid, rel.intValue());
  }

  static String idField(Path file, long lineNo, JsonNode node, String name) throws EvalInputException {
    JsonNode v = node.get(name);
    if (v == null || !(v.isTextual() || v.isIntegralNumber())) {
      throw new EvalInputException(file, lineNo, "field '" + name + "': expected a string id, got " + v);
    }
    return v.asText();
  }

  private static void put(Path file, long lineNo, Map<String, Map<String, Integer>> grades, String qid, String docid,
      int relevance) throws EvalInputException {
    Integer previous = grades.computeIfAbsent(qid, q -> new HashMap<>()).putIfAbsent(docid, relevance);
    if (previous != null) {
      throw new EvalInputException(file, lineNo,
          "duplicate judgement for qid '" + qid + "', docid '" + docid + "' (trec_eval rejects duplicates too)");
    }
  }
}
