package io.m3spark.jobs.prepare;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.m3spark.io.BadTrainRecord;
import io.m3spark.io.StrictJson;
import io.m3spark.io.TrainRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Converts a SQuAD-format file ({@code data[].title}, {@code data[].paragraphs[].context},
 * {@code paragraphs[].qas[].question/id/answers}) into training records, one per question:
 * {@code {"query": question, "pos": [context], "neg": [], "title": title, "id": qa id}}. The title and id ride along
 * as extra fields (FlagEmbedding passes unknown fields through; make-eval-set uses the title). Answers are not kept:
 * retrieval training needs the passage, not the span.
 *
 * <p>Streams article by article, so memory holds one article at a time. Problems are reported with the line where the
 * article starts and the JSON path of the bad item (SQuAD files are often a single line). The file is parsed by
 * {@link StrictJson}'s configuration: a repeated key is an error, not the last value; Jackson reads the bytes as strict
 * UTF-8 (an invalid sequence is an error with its line) and skips a byte-order mark.
 */
final class SquadImporter {
  /** Receives each converted record or problem, in file order. */
  interface Sink {
    void record(TrainRecord record) throws IOException;

    void bad(BadTrainRecord bad) throws IOException;
  }

  private SquadImporter() {}

  static void read(Path file, Sink sink) throws IOException {
    String name = file.toString();
    try (JsonParser p = StrictJson.READER.createParser(Files.newInputStream(file))) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException(name + ": not a SQuAD file: the top level must be an object with a 'data' list");
      }
      boolean sawData = false;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if (!field.equals("data")) {
          p.skipChildren();
          continue;
        }
        if (value != JsonToken.START_ARRAY) {
          throw new IOException(name + ": 'data' must be a list of articles");
        }
        sawData = true;
        int article = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
          long line = p.currentLocation().getLineNr();
          JsonNode node = p.readValueAsTree();
          convertArticle(name, line, "data[" + article++ + "]", node, sink);
        }
      }
      if (!sawData) {
        throw new IOException(name + ": not a SQuAD file: no 'data' list");
      }
    } catch (JsonProcessingException e) {
      // Jackson names the stream, not the file; a broken or hostile file is not a record to quarantine.
      long line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
      throw new IOException(name + ":" + line + ": malformed JSON: " + e.getOriginalMessage(), e);
    }
  }

  private static void convertArticle(String file, long line, String path, JsonNode article, Sink sink)
      throws IOException {
    JsonNode paragraphs = article.path("paragraphs");
    if (!paragraphs.isArray()) {
      sink.bad(new BadTrainRecord(file, line, path + ".paragraphs", "missing or not a list", article.toString()));
      return;
    }
    String title = article.path("title").isTextual() ? article.get("title").asText() : "";
    for (int i = 0; i < paragraphs.size(); i++) {
      JsonNode paragraph = paragraphs.get(i);
      String at = path + ".paragraphs[" + i + "]";
      JsonNode context = paragraph.path("context");
      JsonNode qas = paragraph.path("qas");
      if (!context.isTextual() || context.asText().isBlank()) {
        sink.bad(new BadTrainRecord(file, line, at + ".context", "missing, blank or not a string",
            paragraph.toString()));
        continue;
      }
      if (!qas.isArray()) {
        sink.bad(new BadTrainRecord(file, line, at + ".qas", "missing or not a list", paragraph.toString()));
        continue;
      }
      for (int q = 0; q < qas.size(); q++) {
        convertQuestion(file, line, at + ".qas[" + q + "]", title, context.asText(), qas.get(q), sink);
      }
    }
  }

  private static void convertQuestion(String file, long line, String at, String title, String context, JsonNode qa,
      Sink sink) throws IOException {
    JsonNode question = qa.path("question");
    if (!question.isTextual() || question.asText().isBlank()) {
      sink.bad(new BadTrainRecord(file, line, at + ".question", "missing, blank or not a string", qa.toString()));
      return;
    }
    if (qa.path("is_impossible").asBoolean(false)) {
      sink.bad(new BadTrainRecord(file, line, at, "unanswerable (SQuAD v2 is_impossible): its paragraph is not a"
          + " positive", qa.toString()));
      return;
    }
    ObjectNode record = JsonNodeFactory.instance.objectNode();
    record.put("query", question.asText());
    record.putArray("pos").add(context);
    record.putArray("neg");
    record.put("title", title);
    if (qa.hasNonNull("id")) {
      record.put("id", qa.get("id").asText());
    }
    sink.record(TrainRecord.of(record));
  }
}
