package io.m3spark.jobs.prepare;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.m3spark.io.AtomicTextFile;
import io.m3spark.io.ParsedLine;
import io.m3spark.io.TrainRecord;
import io.m3spark.io.TrainRecordFile;
import io.m3spark.io.TrainRecordReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Turns QA training JSONL into the three files of FlagEmbedding's custom evaluation (spec §5.1):
 * {@code corpus.jsonl} {@code {"id","title","text"}}, {@code {split}_queries.jsonl} {@code {"id","text"}} and
 * {@code {split}_qrels.jsonl} {@code {"qid","docid","relevance"}}.
 *
 * <p>Each record is one query, numbered from "1" in input order. Every distinct pos/neg text is one corpus entry,
 * id {@code doc_} + md5[:12] ({@link PassageIds}), titled by the first record's {@code title} field that mentions it
 * ("" when absent). Positives get relevance 1 and negatives 0; a text that is both for one query counts as a positive,
 * and repeats within a record give one qrel. All three files are written atomically.
 */
final class EvalSetBuilder {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Counts of what was written. */
  record Counts(long queries, long passages, long qrels) {}

  private EvalSetBuilder() {}

  static Counts build(Path input, Path dir, String split, BadRecordSink bad) throws IOException {
    Map<String, ObjectNode> corpus = new LinkedHashMap<>();
    Map<String, String> textById = new HashMap<>();
    long queries = 0;
    long qrels = 0;
    try (TrainRecordFile in = TrainRecordFile.open(input, new TrainRecordReader(false));
        AtomicTextFile queryOut = AtomicTextFile.create(dir.resolve(split + "_queries.jsonl"));
        AtomicTextFile qrelOut = AtomicTextFile.create(dir.resolve(split + "_qrels.jsonl"))) {
      while (in.hasNext()) {
        ParsedLine line = in.next();
        if (line instanceof ParsedLine.Bad b) {
          bad.accept(b.bad());
          continue;
        }
        TrainRecord r = ((ParsedLine.Good) line).record();
        String qid = Long.toString(++queries);
        ObjectNode q = JSON.createObjectNode().put("id", qid).put("text", r.query());
        queryOut.writeLine(json(q));
        String title = title(r);
        Set<String> positives = new LinkedHashSet<>(r.pos());
        Set<String> negatives = new LinkedHashSet<>(r.neg());
        negatives.removeAll(positives);
        for (String text : positives) {
          qrelOut.writeLine(qrel(qid, passage(text, title, corpus, textById), 1));
          qrels++;
        }
        for (String text : negatives) {
          qrelOut.writeLine(qrel(qid, passage(text, title, corpus, textById), 0));
          qrels++;
        }
      }
      bad.finish();
      try (AtomicTextFile corpusOut = AtomicTextFile.create(dir.resolve("corpus.jsonl"))) {
        for (ObjectNode doc : corpus.values()) {
          corpusOut.writeLine(json(doc));
        }
        corpusOut.commit();
      }
      queryOut.commit();
      qrelOut.commit();
    }
    return new Counts(queries, corpus.size(), qrels);
  }

  /** The passage id of {@code text}, adding it to the corpus when new. */
  private static String passage(String text, String title, Map<String, ObjectNode> corpus,
      Map<String, String> textById) {
    ObjectNode known = corpus.get(text);
    if (known != null) {
      return known.get("id").asText();
    }
    String id = PassageIds.of(text);
    String clash = textById.putIfAbsent(id, text);
    if (clash != null) {
      // 48 bits of MD5: a clash is astronomically unlikely, but two passages under one id would corrupt the qrels.
      throw new IllegalStateException("two different passages share the id " + id + "; cannot build the eval set");
    }
    corpus.put(text, JSON.createObjectNode().put("id", id).put("title", title).put("text", text));
    return id;
  }

  private static String title(TrainRecord r) {
    JsonNode t = r.json().get("title");
    return t != null && t.isTextual() ? t.asText() : "";
  }

  private static String qrel(String qid, String docid, int relevance) throws JsonProcessingException {
    return json(JSON.createObjectNode().put("qid", qid).put("docid", docid).put("relevance", relevance));
  }

  private static String json(ObjectNode node) throws JsonProcessingException {
    return JSON.writeValueAsString(node);
  }
}
