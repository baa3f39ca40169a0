package io.m3spark.jobs.prepare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m3spark.cli.ArgParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MakeEvalSetCommandTest {
  @Test
  void md5PassageIds() {
    assertEquals("doc_5d41402abc4b", PassageIds.of("hello"));
  }

  @Test
  void writesCorpusQueriesAndQrelsWithDistinctTexts(@TempDir Path dir) throws Exception {
    Path in = dir.resolve("qa.jsonl");
    Files.write(in, List.of(
        "{\"query\":\"수도는?\",\"pos\":[\"서울\"],\"neg\":[\"부산\",\"서울\",\"부산\"],\"title\":\"도시\"}",
        "",
        "{\"query\":\"port?\",\"pos\":[\"부산\"]}"));
    Path out = dir.resolve("eval");
    MakeEvalSetCommand.Summary s = new MakeEvalSetCommand().run(
        ArgParser.parse(MakeEvalSetArgs.class, "--input", in.toString(), "--output_dir", out.toString()));
    assertEquals(2, s.queries());
    assertEquals(2, s.passages());
    assertEquals(3, s.qrels());
    String seoul = PassageIds.of("서울");
    String busan = PassageIds.of("부산");
    assertEquals(List.of("{\"id\":\"" + seoul + "\",\"title\":\"도시\",\"text\":\"서울\"}",
        "{\"id\":\"" + busan + "\",\"title\":\"도시\",\"text\":\"부산\"}"), Files.readAllLines(out.resolve("corpus.jsonl")));
    assertEquals(List.of("{\"id\":\"1\",\"text\":\"수도는?\"}", "{\"id\":\"2\",\"text\":\"port?\"}"),
        Files.readAllLines(out.resolve("test_queries.jsonl")));
    assertEquals(List.of(
        "{\"qid\":\"1\",\"docid\":\"" + seoul + "\",\"relevance\":1}",
        "{\"qid\":\"1\",\"docid\":\"" + busan + "\",\"relevance\":0}",
        "{\"qid\":\"2\",\"docid\":\"" + busan + "\",\"relevance\":1}"), Files.readAllLines(out.resolve("test_qrels.jsonl")));
  }

  @Test
  void otherSplitNamesTheFilesAndWarns(@TempDir Path dir) throws Exception {
    Path in = dir.resolve("qa.jsonl");
    Files.writeString(in, "{\"query\":\"q\",\"pos\":[\"p\"]}\n");
    MakeEvalSetCommand.Summary s = new MakeEvalSetCommand().run(ArgParser.parse(MakeEvalSetArgs.class, "--input",
        in.toString(), "--output_dir", dir.toString(), "--split", "dev"));
    assertTrue(Files.exists(dir.resolve("dev_queries.jsonl")) && Files.exists(dir.resolve("dev_qrels.jsonl")));
    assertTrue(s.toString().contains("only reads split 'test'"));
  }

  @Test
  void badRecordFailsBeforeAnythingIsWritten(@TempDir Path dir) throws Exception {
    Path in = dir.resolve("qa.jsonl");
    Files.writeString(in, "{\"query\":\"q\",\"pos\":[\"p\"]}\n{\"query\":\"q2\",\"pos\":[]}\n");
    Path out = dir.resolve("eval");
    BadTrainingDataException e = assertThrows(BadTrainingDataException.class, () -> new MakeEvalSetCommand().run(
        ArgParser.parse(MakeEvalSetArgs.class, "--input", in.toString(), "--output_dir", out.toString())));
    assertTrue(e.getMessage().contains(in + ":2: pos: empty"), e.getMessage());
    assertEquals(0, out.toFile().list().length);
  }
}
