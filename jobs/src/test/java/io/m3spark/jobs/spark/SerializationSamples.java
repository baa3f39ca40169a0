package io.m3spark.jobs.spark;

import io.m3spark.io.BadTrainRecord;
import io.m3spark.io.ParsedLine;
import io.m3spark.io.TrainRecord;
import io.m3spark.io.TrainRecordReader;
import io.m3spark.jobs.embed.BadRecord;
import io.m3spark.jobs.embed.EmbedStats;
import io.m3spark.jobs.embed.EmbeddedRecord;
import io.m3spark.jobs.embed.NumberedLines;
import io.m3spark.jobs.embed.ParsedRecord;
import io.m3spark.jobs.embed.SourcePosition;
import io.m3spark.jobs.embed.TextRecord;
import io.m3spark.jobs.mine.TrainingInput;
import io.m3spark.jobs.search.CandidateReranker;
import io.m3spark.jobs.search.HitListWire;
import io.m3spark.mining.FilterRule;
import io.m3spark.mining.FixedBinHistogram;
import io.m3spark.mining.MinedNegatives;
import io.m3spark.mining.MiningStats;
import io.m3spark.search.BoundedTopK;
import io.m3spark.search.Hit;
import io.m3spark.search.QueryHits;
import io.m3spark.search.VectorBlock;
import io.m3spark.train.loop.TrainLoop;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Realistic values of every type our jobs ship between JVMs, seeded: the Kryo round-trip test covers each registered
 * class with them, and the serialiser benchmark measures the heavy ones (large vectors, hit lists, long texts).
 */
public final class SerializationSamples {
  private static final String[] WORDS = ("the model maps each passage to a dense vector and sparse lexical weights "
      + "so that a query finds its answers among millions of documents on a cluster of GPUs 서울 검색 €").split(" ");

  private SerializationSamples() {}

  /** {@code words} words of mixed English and Korean text. */
  public static String text(int words, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < words; i++) {
      sb.append(i == 0 ? "" : " ").append(WORDS[rnd.nextInt(WORDS.length)]);
    }
    return sb.toString();
  }

  /** A valid input record as the embed job parses it, with its text of {@code words} words. */
  public static ParsedRecord parsedText(int words, long seed) {
    return ParsedRecord.good(new TextRecord(seed, "doc-" + seed, text(words, seed),
        new SourcePosition("hdfs://cluster/corpus/part-00007.jsonl", 1000 + seed, false)));
  }

  /**
   * An embedded text: a normalised dense vector of {@code dim}, {@code sparseTokens} lexical weights and, when
   * {@code colbertRows > 0}, that many ColBERT vectors of {@code dim}.
   */
  public static EmbeddedRecord embedded(int dim, int sparseTokens, int colbertRows, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    float[] dense = vector(dim, rnd);
    int[] ids = rnd.ints(sparseTokens, 0, 250_002).sorted().distinct().toArray();
    float[] weights = new float[ids.length];
    for (int i = 0; i < weights.length; i++) {
      weights[i] = (float) rnd.nextDouble(0, 0.4);
    }
    float[][] colbert = colbertRows == 0 ? null : new float[colbertRows][];
    for (int r = 0; r < colbertRows; r++) {
      colbert[r] = vector(dim, rnd);
    }
    return new EmbeddedRecord(seed, "doc-" + seed, dense, ids, weights, colbert, Math.max(1, colbertRows), 300);
  }

  /** The top {@code k} of one query, as the distributed search shuffles it. */
  public static QueryHits hits(int k, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    Hit[] hits = new Hit[k];
    float score = 0.9f;
    for (int i = 0; i < k; i++) {
      score -= (float) rnd.nextDouble(0, 0.004);
      hits[i] = new Hit(String.format("%012d", rnd.nextInt(10_000_000)), score);
    }
    return new QueryHits("q-" + seed, hits);
  }

  /**
   * A training record as the mine job reads it: positives, negatives, scores (one NaN), fields it passes through (one
   * with a lone surrogate, which JSON escapes allow).
   */
  public static TrainRecord trainRecord(long seed) {
    String line = "{\"query\":\"" + text(12, seed) + "\",\"pos\":[\"" + text(80, seed + 1) + "\"],\"neg\":[\""
        + text(60, seed + 2) + "\",\"" + text(70, seed + 3) + "\"],\"pos_scores\":[0.93],\"neg_scores\":[NaN,-0.0],"
        + "\"prompt\":null,\"type\":\"normal\",\"meta\":{\"source\":\"korquad \\ud800\",\"id\":12345678901234567890,"
        + "\"tags\":[1,2.5,true]}}";
    return ((ParsedLine.Good) new TrainRecordReader(false).parse("train.jsonl", seed, line)).record();
  }

  /**
   * Instances of every class the registrator registers (several per class where nulls, empty and full collections
   * matter), and of the JDK collections it handles.
   */
  public static List<Object> all() {
    List<Object> out = new ArrayList<>();
    SourcePosition jsonl = new SourcePosition("corpus.jsonl", 12, false);
    SourcePosition parquet = new SourcePosition("part-0.parquet", 3, true);
    TextRecord text = new TextRecord(SourcePosition.order(1, 12), "d1", "a text ünïcode 검색", jsonl);
    TextRecord noPosition = new TextRecord(7, "000000000007", "a corpus text the mine job embeds", null);
    BadRecord bad = new BadRecord(5, parquet, "text", "must be a string", "{\"text\": 5}");
    BadRecord badNoRaw = new BadRecord(6, jsonl, "id", "duplicate id \"d1\" (first at corpus.jsonl:2)", null);
    out.addAll(List.of(jsonl, parquet, text, noPosition, bad, badNoRaw, ParsedRecord.good(text),
        ParsedRecord.bad(bad), parsedText(500, 3)));

    float[] special = {Float.NaN, -0.0f, 0.0f, Float.MIN_VALUE, Float.MAX_VALUE, Float.NEGATIVE_INFINITY, 1e-40f};
    out.add(new EmbeddedRecord(1, "d1", special, null, null, null, 3, 3));
    out.add(new EmbeddedRecord(2, "d2", null, new int[] {5, 17}, new float[] {0.25f, -0.0f}, new float[0][], 0, 9));
    out.add(embedded(1024, 40, 4, 11));
    out.add(new EmbedStats(1000, 123_456, 3, 512, 1024, 0));
    out.add(new NumberedLines.Line(2, "in.jsonl", 40, new byte[] {'{', (byte) 0xC3, '}'}));

    Hit hit = new Hit("000000000042", 0.8125f);
    out.addAll(List.of(hit, new Hit[] {hit, new Hit("d2", Float.NaN)}, new Hit[] {null, hit}, new Hit[0], hits(100, 5),
        new QueryHits("empty", new Hit[0]), new HitListWire(hits(3, 9))));
    out.add(new VectorBlock(new String[] {"a", "b"}, new long[] {4, 9}, new float[] {1, 2, 3, 4, 5, 6}, 3));
    BoundedTopK top = new BoundedTopK(3);
    Arrays.stream(hits(8, 2).hits()).forEach(top::add);
    out.addAll(List.of(top, new BoundedTopK(100), new CandidateReranker.PairScore("d9", 0.5, 0.25, -0.125)));

    TrainRecord train = trainRecord(1);
    BadTrainRecord badTrain = new BadTrainRecord("train.jsonl", 3, "pos", "missing", "{\"query\": \"q\"}");
    out.addAll(List.of(train, badTrain, new BadTrainRecord("train.jsonl", 4, "(line)", "malformed JSON", null),
        new TrainingInput.Checked(train, null), new TrainingInput.Checked(null, badTrain), FilterRule.DUPLICATE));
    Map<FilterRule, Integer> filtered = new EnumMap<>(FilterRule.class);
    filtered.put(FilterRule.IS_POSITIVE, 1);
    filtered.put(FilterRule.MAX_SCORE, 4);
    MinedNegatives mined = new MinedNegatives(List.of("n1", "n2", "top-up"), Arrays.asList(0.5f, 0.25f, Float.NaN),
        List.of(3, 7), filtered, 10, 0, true, false, 0.75f);
    MinedNegatives none = new MinedNegatives(List.of(), List.of(), List.of(), Map.of(), 0, 3, false, false, Float.NaN);
    out.addAll(List.of(mined, none));
    MiningStats stats = new MiningStats().record(mined, List.of(0.9f, 0.8f)).record(none, null);
    FixedBinHistogram histogram = new FixedBinHistogram(-1, 1, 2000);
    histogram.add(0.5);
    histogram.add(-2);
    out.addAll(List.of(stats, histogram));

    TrainLoop.Summary summary = new TrainLoop.Summary(300, 0.125, 61.5, 19.5);
    out.addAll(List.of(summary, new TrainLoop.Summary[] {summary}));

    out.addAll(jdkCollections());
    return out;
  }

  /** Empty, one-element and many-element values of each JDK collection kind the registrator covers. */
  static List<Object> jdkCollections() {
    Map<FilterRule, Integer> enumMap = new EnumMap<>(FilterRule.class);
    enumMap.put(FilterRule.DUPLICATE, 2);
    enumMap.put(FilterRule.IS_QUERY, 0);
    Map<String, Integer> many = new LinkedHashMap<>();
    for (int i = 0; i < 20; i++) {
      many.put("k" + i, i);
    }
    return List.of(List.of(), List.of("one"), List.of("a", "b"), List.of(1, 2, 3, 4, 5), List.copyOf(many.keySet()),
        List.of(1, 2, 3, 4).subList(1, 3), Arrays.asList("x", null, "z").stream().toList(),
        Set.of(), Set.of(0.5f), Set.of("a", "b", "c", "d"), Map.of(), Map.of("k", 1.5), Map.copyOf(many),
        new EnumMap<>(FilterRule.class), enumMap,
        Collections.emptyList(), Collections.emptySet(), Collections.emptyMap(), Collections.singletonList("s"),
        Collections.singleton(3L), Collections.singletonMap("k", List.of(1)),
        Collections.unmodifiableList(new ArrayList<>(List.of(1.5f, 2.5f))), Collections.unmodifiableMap(enumMap),
        Arrays.asList(3, 1, 2), new ArrayList<>(List.of("a")), new LinkedHashMap<>(many),
        new float[][] {{1, 2}, {3}});
  }

  private static float[] vector(int dim, SplittableRandom rnd) {
    float[] v = new float[dim];
    double norm = 0;
    for (int i = 0; i < dim; i++) {
      v[i] = (float) rnd.nextGaussian();
      norm += v[i] * v[i];
    }
    for (int i = 0; i < dim; i++) {
      v[i] /= (float) Math.sqrt(norm);
    }
    return v;
  }
}
