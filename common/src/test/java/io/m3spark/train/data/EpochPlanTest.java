package io.m3spark.train.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EpochPlanTest {

  @Test
  void twoRanksCoverEachRecordOncePerEpochWithDropLast() {
    EpochPlan plan = EpochPlan.shuffled(20, 2, 2, true, 8, 42);
    assertEquals(5, plan.steps(0));
    for (int epoch = 0; epoch < 3; epoch++) {
      List<Integer> seen = new ArrayList<>();
      for (int rank = 0; rank < 2; rank++) {
        plan.batches(epoch, rank).forEach(b -> Arrays.stream(b.records()).forEach(seen::add));
      }
      assertEquals(20, seen.size());
      assertEquals(20, new HashSet<>(seen).size());
    }
    assertNotEquals(plan.batches(0, 0), plan.batches(1, 0), "each epoch reshuffles");
  }

  @Test
  void dropLastDropsTheIncompleteGlobalBatch() {
    EpochPlan plan = EpochPlan.shuffled(11, 2, 2, true, 8, 1);
    assertEquals(2, plan.steps(0));
    assertEquals(2, plan.batches(0, 1).size());
  }

  @Test
  void withoutDropLastEveryRecordIsSeenAndRanksStayInStep() {
    EpochPlan plan = EpochPlan.shuffled(11, 2, 2, false, 8, 1);
    assertEquals(3, plan.steps(0));
    Set<Integer> seen = new HashSet<>();
    for (int rank = 0; rank < 2; rank++) {
      List<PlannedBatch> batches = plan.batches(0, rank);
      assertEquals(3, batches.size());
      assertEquals(2, batches.get(2).records().length); // 3 left, topped up to 4, 2 per rank
      batches.forEach(b -> Arrays.stream(b.records()).forEach(seen::add));
    }
    assertEquals(11, seen.size());
  }

  @Test
  void sameSeedSamePlan() {
    assertEquals(EpochPlan.shuffled(30, 3, 2, true, 8, 7).batches(2, 1),
        EpochPlan.shuffled(30, 3, 2, true, 8, 7).batches(2, 1));
    assertNotEquals(EpochPlan.shuffled(30, 3, 2, true, 8, 7).batches(2, 1),
        EpochPlan.shuffled(30, 3, 2, true, 8, 8).batches(2, 1));
  }

  @Test
  void resumeFromSavedPositionEqualsUninterruptedRun() {
    EpochPlan plan = EpochPlan.sameDataset(sampleDatasets(), 2, 42);
    List<PlannedBatch> all = new ArrayList<>();
    new DataCursor(plan, 1, 3, DataPosition.START).forEachRemaining(all::add);

    DataCursor first = new DataCursor(plan, 1, 3, DataPosition.START);
    List<PlannedBatch> resumed = new ArrayList<>();
    for (int i = 0; i < plan.steps(0) + 2; i++) { // stop inside epoch 1
      resumed.add(first.next());
    }
    String saved = first.position().toString();
    assertEquals("1:2", saved);
    new DataCursor(plan, 1, 3, DataPosition.parse(saved)).forEachRemaining(resumed::add);
    assertEquals(all, resumed);
    assertEquals(3 * plan.steps(0), all.size());
  }

  @Test
  void sameDatasetChunksComeFromOneDatasetAndDropTheRemainder() {
    List<DatasetSpec> datasets = sampleDatasets();
    SameDatasetEpochPlan plan = (SameDatasetEpochPlan) EpochPlan.sameDataset(datasets, 2, 3);
    // a: 10 records, chunks of 2×2 → 2 chunks (2 left over); b: 9 records, chunks of 1×2 → 4; c: 3 < 4×2 → 0
    assertEquals(6, plan.steps(0));
    List<PlannedBatch> r0 = plan.batches(0, 0);
    List<PlannedBatch> r1 = plan.batches(0, 1);
    Set<String> seen = new HashSet<>();
    for (int s = 0; s < r0.size(); s++) {
      assertEquals(r0.get(s).dataset(), r1.get(s).dataset(), "both ranks on one dataset at step " + s);
      DatasetSpec spec = plan.datasets().get(r0.get(s).dataset());
      assertEquals(spec.batchSize(), r0.get(s).records().length);
      assertEquals(spec.groupSize(), r0.get(s).groupSize());
      assertEquals(spec.noInBatchNeg(), r0.get(s).noInBatchNeg());
      for (PlannedBatch b : List.of(r0.get(s), r1.get(s))) {
        for (int rec : b.records()) {
          assertTrue(seen.add(spec.name() + "#" + rec), "record seen twice");
        }
      }
    }
    assertEquals(8 + 8, seen.size());
    assertTrue(r0.stream().anyMatch(PlannedBatch::noInBatchNeg));
  }

  @Test
  void sameDatasetPlanIgnoresListingOrder() {
    List<DatasetSpec> reversed = new ArrayList<>(sampleDatasets());
    java.util.Collections.reverse(reversed);
    assertEquals(EpochPlan.sameDataset(sampleDatasets(), 2, 5).batches(1, 0),
        EpochPlan.sameDataset(reversed, 2, 5).batches(1, 0));
  }

  static List<DatasetSpec> sampleDatasets() {
    return List.of(new DatasetSpec("a.jsonl", 10, 2, 8, false),
        new DatasetSpec("b_no_in_batch_neg.jsonl", 9, 1, 2, true),
        new DatasetSpec("c.jsonl", 3, 4, 8, false));
  }
}
