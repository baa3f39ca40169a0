package io.m3spark.search;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ExactTopK and TopKMerger against the brute-force reference. */
class ExactTopKTest {


  private static void assertSameHits(List<Hit[]> expected, List<Hit[]> actual) {
    assertEquals(expected.size(), actual.size());
    for (int q = 0; q < expected.size(); q++) {
      assertArrayEquals(expected.get(q), actual.get(q), "query " + q);
    }
  }

  @Test
  void integerVectorsWithManyTiesMatchTheReferenceExactly() {
    // 8 dims of {-2..2}: only ~70 distinct scores over 530 documents, so nearly every boundary is a tie.
    float[][] corpus = SearchData.smallIntegers(530, 8, 1);
    float[][] queries = SearchData.smallIntegers(37, 8, 2);
    String[] docids = SearchData.ids("d", corpus.length);
    String[] qids = SearchData.ids("q", queries.length);
    for (int k : new int[] {1, 5, 100, 600}) {
      List<Hit[]> expected = BruteForceSearch.search(queries, docids, corpus, k);
      assertSameHits(expected, SearchData.shardedSearch(docids, corpus, qids, queries, k, 530, 37));
      assertSameHits(expected, SearchData.shardedSearch(docids, corpus, qids, queries, k, 97, 10)); // uneven last shard and block
      assertSameHits(expected, SearchData.shardedSearch(docids, corpus, qids, queries, k, 1, 1));
    }
  }

  @Test
  void duplicateVectorsRankByDocidString() {
    float[][] corpus = SearchData.gaussian(40, 16, 3);
    String[] docids = SearchData.ids("d", corpus.length);
    for (int i = 20; i < 40; i++) {
      corpus[i] = corpus[7].clone(); // d7 and d20..d39 are the same vector
    }
    float[][] query = {corpus[7].clone()};
    Hit[] top = SearchData.shardedSearch(docids, corpus, new String[] {"q"}, query, 5, 40, 1).get(0);
    // All 21 copies score the same; string order puts d20 < d21 < ... < d39 < d7.
    assertEquals(List.of("d20", "d21", "d22", "d23", "d24"), List.of(top).stream().map(Hit::docid).toList());
    for (Hit h : top) {
      assertEquals(top[0].score(), h.score());
    }
  }

  @Test
  void nanVectorsRankLastWhateverTheShardAndBlockSizes() {
    float[][] corpus = SearchData.smallIntegers(200, 8, 6);
    float[][] queries = SearchData.smallIntegers(9, 8, 7);
    String[] docids = SearchData.ids("d", corpus.length);
    List<Integer> finite = new java.util.ArrayList<>();
    for (int i = 0; i < corpus.length; i++) {
      if (i % 5 == 0 && i < 150) { // 30 NaN rows, more than the tie slack: a fetched list can be all NaN
        corpus[i][3] = Float.NaN;
      } else {
        finite.add(i);
      }
    }
    List<Hit[]> expected = BruteForceSearch.search(queries, finite.stream().map(i -> docids[i]).toArray(String[]::new),
        finite.stream().map(i -> corpus[i]).toArray(float[][]::new), 10);
    for (int[] sizes : new int[][] {{200, 9}, {37, 4}, {1, 1}}) {
      assertSameHits(expected, SearchData.shardedSearch(docids, corpus, SearchData.ids("q", 9), queries, 10, sizes[0],
          sizes[1]));
    }
    // Asked for every document, the NaN ones come last.
    Hit[] all = SearchData.shardedSearch(docids, corpus, new String[] {"q"}, new float[][] {queries[0]}, 200, 64, 1)
        .get(0);
    for (int r = 0; r < all.length; r++) {
      assertEquals(r >= 170, Float.isNaN(all[r].score()), "rank " + r + ": " + all[r]);
    }
  }

  @Test
  void gaussianVectorsMatchTheReferenceWithinFp32Rounding() {
    float[][] corpus = SearchData.gaussian(1000, 64, 4);
    float[][] queries = SearchData.gaussian(50, 64, 5);
    String[] docids = SearchData.ids("d", corpus.length);
    List<Hit[]> expected = BruteForceSearch.search(queries, docids, corpus, 20);
    List<Hit[]> actual = SearchData.shardedSearch(docids, corpus, SearchData.ids("q", 50), queries, 20, 333, 16);
    for (int q = 0; q < expected.size(); q++) {
      for (int r = 0; r < 20; r++) {
        Hit e = expected.get(q)[r];
        Hit a = actual.get(q)[r];
        assertEquals(e.score(), a.score(), 1e-4, "query " + q + " rank " + r);
        assertTrue(e.docid().equals(a.docid()) || Math.abs(e.score() - a.score()) < 1e-4, "query " + q + " rank " + r);
      }
    }
  }

  @Test
  void kBeyondTheShardReturnsEveryDocumentWithoutPadding() {
    float[][] corpus = SearchData.gaussian(3, 4, 6);
    try (ExactTopK shard = new ExactTopK(SearchData.block(SearchData.ids("d", 3), corpus, 0, 3), Device.cpu(), false)) {
      Hit[][] hits = shard.search(SearchData.block(new String[] {"q"}, new float[][] {corpus[0]}, 0, 1), 10);
      assertEquals(3, hits[0].length);
    }
  }

  @Test
  void rejectsMismatchedDimensionsAndEmptyShards() {
    float[][] corpus = SearchData.gaussian(3, 4, 7);
    try (ExactTopK shard = new ExactTopK(SearchData.block(SearchData.ids("d", 3), corpus, 0, 3), Device.cpu(), false)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> shard.search(
          SearchData.block(new String[] {"q"}, SearchData.gaussian(1, 5, 8), 0, 1), 1));
      assertTrue(e.getMessage().contains("dimension 5") && e.getMessage().contains("dimension 4"), e.getMessage());
    }
    assertThrows(IllegalArgumentException.class,
        () -> new ExactTopK(new VectorBlock(new String[0], new long[0], new float[0], 4), Device.cpu(), false));
  }

  @Test
  void mergeKeepsTheOrderAndTheBound() {
    Hit[] a = {new Hit("b", 3f), new Hit("a", 1f)};
    Hit[] b = {new Hit("c", 3f), new Hit("a2", 1f), new Hit("z", 0f)};
    assertArrayEquals(new Hit[] {new Hit("b", 3f), new Hit("c", 3f), new Hit("a", 1f)}, TopKMerger.merge(a, b, 3));
    assertArrayEquals(new Hit[] {new Hit("b", 3f)}, TopKMerger.merge(b, a, 1));
  }
}
