package io.m3spark.train.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.m3spark.io.ParsedLine;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Plan → groups end to end, without the tokenizer: the same seed and position give the same groups. */
class BatchAssemblerTest {

  @Test
  void resumedRunSamplesTheSameGroups() {
    List<TrainDataset> data = List.of(dataset("a", 12), dataset("b", 8));
    EpochPlan plan = EpochPlan.sameDataset(data.stream().map(TrainDataset::spec).toList(), 2, 42);
    BatchAssembler assembler = new BatchAssembler(data, new GroupSampler(SamplingOptions.defaults()), null, 42);

    List<List<String>> all = new ArrayList<>();
    DataCursor straight = new DataCursor(plan, 0, 2, DataPosition.START);
    while (straight.hasNext()) {
      int epoch = straight.position().epoch();
      assembler.groups(epoch, straight.next()).forEach(g -> all.add(g.passages()));
    }

    DataCursor first = new DataCursor(plan, 0, 2, DataPosition.START);
    List<List<String>> resumed = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      assembler.groups(first.position().epoch(), first.next()).forEach(g -> resumed.add(g.passages()));
    }
    DataCursor second = new DataCursor(plan, 0, 2, DataPosition.parse(first.position().toString()));
    while (second.hasNext()) {
      int epoch = second.position().epoch();
      assembler.groups(epoch, second.next()).forEach(g -> resumed.add(g.passages()));
    }
    assertEquals(all, resumed);

    PlannedBatch b = plan.batches(0, 0).get(0);
    assertNotEquals(assembler.groups(0, b).get(0).passages(), assembler.groups(1, b).get(0).passages(),
        "a new epoch draws new negatives");
  }

  private static TrainDataset dataset(String name, int size) {
    List<ParsedLine.Good> records = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      StringBuilder neg = new StringBuilder();
      for (int n = 0; n < 20; n++) {
        neg.append(n == 0 ? "" : ",").append("\"").append(name).append(i).append("-n").append(n).append("\"");
      }
      records.add(Records.line(name + ".jsonl", i + 1,
          "{\"query\":\"q\",\"pos\":[\"p\"],\"neg\":[" + neg + "]}"));
    }
    return new TrainDataset(new DatasetSpec(name + ".jsonl", size, 2, 4, false), records);
  }
}
