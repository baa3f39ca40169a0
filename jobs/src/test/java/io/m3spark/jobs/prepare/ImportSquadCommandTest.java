package io.m3spark.jobs.prepare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m3spark.cli.ArgParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImportSquadCommandTest {
  static final String SQUAD = """
      {"version": "1",
       "data": [
        {"title": "서울",
         "paragraphs": [
           {"context": "서울은 대한민국의 수도이다.",
            "qas": [{"question": "대한민국의 수도는?", "id": "q1", "answers": [{"text": "서울", "answer_start": 0}]},
                    {"question": "서울은 어느 나라의 수도인가?", "id": "q2", "answers": []}]}]},
        {"title": "Busan",
         "paragraphs": [
           {"context": "Busan is a port city.",
            "qas": [{"question": "", "id": "q3"},
                    {"question": "Which city is a port?", "id": "q4"}]},
           {"context": "Busan hosts a film festival.",
            "qas": [{"question": "What does Busan host?", "id": "q5"}]}]}]}
      """;

  static ImportSquadArgs args(String... flags) throws Exception {
    return ArgParser.parse(ImportSquadArgs.class, flags);
  }

  @Test
  void oneRecordPerQuestionWithTitleAndId(@TempDir Path dir) throws Exception {
    Path in = dir.resolve("squad.json");
    Files.writeString(in, SQUAD.replace("{\"question\": \"\", \"id\": \"q3\"},", ""));
    Path out = dir.resolve("train.jsonl");
    ImportSquadCommand.Summary s = new ImportSquadCommand().run(args("--input", in.toString(), "--output",
        out.toString()));
    assertEquals(4, s.records());
    assertEquals(3, s.passages());
    List<String> lines = Files.readAllLines(out);
    assertEquals("{\"query\":\"대한민국의 수도는?\",\"pos\":[\"서울은 대한민국의 수도이다.\"],\"neg\":[],\"title\":\"서울\","
        + "\"id\":\"q1\"}", lines.get(0));
    assertEquals("{\"query\":\"What does Busan host?\",\"pos\":[\"Busan hosts a film festival.\"],\"neg\":[],"
        + "\"title\":\"Busan\",\"id\":\"q5\"}", lines.get(3));
  }

  @Test
  void badQuestionFailsWithItsPathOrIsQuarantined(@TempDir Path dir) throws Exception {
    Path in = dir.resolve("squad.json");
    Files.writeString(in, SQUAD);
    Path out = dir.resolve("train.jsonl");
    BadTrainingDataException e = assertThrows(BadTrainingDataException.class,
        () -> new ImportSquadCommand().run(args("--input", in.toString(), "--output", out.toString())));
    assertTrue(e.getMessage().contains(in + ":8: data[1].paragraphs[0].qas[0].question: missing, blank"),
        e.getMessage());
    assertFalse(Files.exists(out), "nothing is written when the input has bad records");

    ImportSquadCommand.Summary s = new ImportSquadCommand().run(args("--input", in.toString(), "--output",
        out.toString(), "--skip_bad_records"));
    assertEquals(4, s.records());
    assertEquals(1, s.badRecords());
    String quarantine = Files.readString(dir.resolve("train.jsonl.quarantine.jsonl"));
    assertTrue(quarantine.contains("\"line\":8,\"field\":\"data[1].paragraphs[0].qas[0].question\""), quarantine);
  }

  @Test
  void aRepeatedKeyIsAnErrorWithItsLine(@TempDir Path dir) throws Exception {
    Path in = dir.resolve("squad.json");
    // Python's json keeps the second context, so the questions would get a passage that does not answer them.
    Files.writeString(in, SQUAD.replace("{\"context\": \"Busan is a port city.\",",
        "{\"context\": \"Busan is a port city.\", \"context\": \"Seoul is not.\","));
    Exception e = assertThrows(Exception.class, () -> new ImportSquadCommand().run(args("--input", in.toString(),
        "--output", dir.resolve("o.jsonl").toString())));
    assertTrue(e.getMessage().startsWith(in + ":10: malformed JSON: Duplicate field 'context'"), e.getMessage());
    assertFalse(Files.exists(dir.resolve("o.jsonl")));
  }

  @Test
  void notSquadIsAClearError(@TempDir Path dir) throws Exception {
    Path in = dir.resolve("x.json");
    Files.writeString(in, "[1, 2]");
    Exception e = assertThrows(Exception.class, () -> new ImportSquadCommand().run(args("--input", in.toString(),
        "--output", dir.resolve("o.jsonl").toString())));
    assertTrue(e.getMessage().contains("not a SQuAD file"), e.getMessage());
  }
}
