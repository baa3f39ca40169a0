package io.m3spark.train.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SameDatasetLoaderTest {
  @TempDir
  Path dir;

  private final TrainDataLoader loader = new TrainDataLoader(DataLoadOptions.defaults().withSameDataset(3, 4));

  @Test
  void perFileSettingsMarkersAndSmallPool() throws IOException {
    Path folder = Files.createDirectory(dir.resolve("retrieval"));
    write(folder.resolve("big.jsonl"), 5, "\"type\":\"normal\"");
    write(folder.resolve("sts.jsonl"), 6, "\"type\":\"symmetric_sts\"");
    write(folder.resolve("cls.jsonl"), 3, "\"type\":\"symmetric_class\"");
    write(folder.resolve("one.jsonl"), 3, "\"type\":\"only_1neg\",\"batch_size\":16");
    write(folder.resolve("x_no_in_batch_neg.jsonl"), 4, "\"train_group_size\":5");
    write(folder.resolve("tiny1.jsonl"), 2, "\"batch_size\":2");
    write(folder.resolve("tiny2.jsonl"), 2, "\"type\":\"normal\"");
    Files.writeString(folder.resolve("notes.txt"), "ignored");
    Path marked = Files.createDirectory(dir.resolve("pairs_no_in_batch_neg"));
    write(marked.resolve("p.jsonl"), 3, "\"type\":\"normal\"");

    List<TrainDataset> sets = loader.load(List.of(marked, folder), 4).datasets();
    List<String> names = sets.stream().map(d -> d.spec().name()).toList();
    assertEquals(names.stream().sorted().toList(), names);
    assertEquals(7, sets.size());
    assertEquals(new DatasetSpec(folder.resolve("big.jsonl").toString(), 5, 4, 8, false), spec(sets, "big.jsonl"));
    assertEquals(new DatasetSpec(folder.resolve("sts.jsonl").toString(), 6, 2, 8, false), spec(sets, "sts.jsonl"));
    assertEquals(2, spec(sets, "cls.jsonl").batchSize());
    assertEquals(3, spec(sets, "cls.jsonl").groupSize()); // min(2 negatives + 1, 8)
    assertEquals(16, spec(sets, "one.jsonl").batchSize());
    assertEquals(2, spec(sets, "one.jsonl").groupSize());
    assertTrue(spec(sets, "x_no_in_batch_neg.jsonl").noInBatchNeg());
    assertEquals(5, spec(sets, "x_no_in_batch_neg.jsonl").groupSize());
    assertTrue(spec(sets, "p.jsonl").noInBatchNeg());
    DatasetSpec pool = spec(sets, "(small files)");
    assertEquals(4, pool.size());
    assertEquals(2, pool.batchSize());
    assertFalse(pool.noInBatchNeg());
  }

  @Test
  void smallPoolBelowDropThresholdIsDroppedAndSmallTopLevelFileSkipped() throws IOException {
    Path folder = Files.createDirectory(dir.resolve("f"));
    write(folder.resolve("tiny.jsonl"), 2, "\"type\":\"normal\"");
    write(folder.resolve("ok.jsonl"), 3, "\"type\":\"normal\"");
    Path top = write(dir.resolve("top.jsonl"), 1, "\"type\":\"normal\"");
    List<TrainDataset> sets = loader.load(List.of(top, folder), 4).datasets();
    assertEquals(List.of(folder.resolve("ok.jsonl").toString()), sets.stream().map(d -> d.spec().name()).toList());
  }

  @Test
  void badLineAndMissingPathAreErrors() throws IOException {
    Path f = dir.resolve("bad.jsonl");
    Files.writeString(f, "{\"query\":\"q\",\"pos\":[\"p\"],\"neg\":[\"n\"]}\n\n{\"query\":\"q\",\"pos\":\"p\"}\n");
    TrainDataException e = assertThrows(TrainDataException.class, () -> loader.load(List.of(f), 4));
    assertTrue(e.getMessage().startsWith(f + ":3: pos"), e.getMessage());
    assertThrows(java.io.FileNotFoundException.class, () -> loader.load(List.of(dir.resolve("nope")), 4));
  }

  private static DatasetSpec spec(List<TrainDataset> sets, String nameSuffix) {
    return sets.stream().map(TrainDataset::spec).filter(s -> s.name().endsWith(nameSuffix)).findFirst().orElseThrow();
  }

  private static Path write(Path file, int records, String extra) throws IOException {
    List<String> lines = new ArrayList<>();
    IntStream.range(0, records).forEach(i -> lines.add(
        "{\"query\":\"q" + i + "\",\"pos\":[\"p\"],\"neg\":[\"n1\",\"n2\"]," + extra + "}"));
    return Files.write(file, lines);
  }
}
