package io.m3spark.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.m3spark.cli.ArgParser;
import io.m3spark.io.NpyWriter;
import io.m3spark.jobs.TinyM3;
import io.m3spark.jobs.embed.EmbedArgs;
import io.m3spark.jobs.embed.EmbedJob;
import io.m3spark.jobs.search.HitListWire;
import io.m3spark.jobs.search.SearchArgs;
import io.m3spark.jobs.search.SearchJob;
import io.m3spark.jobs.spark.M3sparkKryoRegistrator;
import io.m3spark.jobs.spark.SerializationSamples;
import io.m3spark.jobs.spark.SparkSessions;
import io.m3spark.search.VectorBlock;
import java.io.BufferedOutputStream;
import java.io.BufferedWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import java.util.stream.Stream;
import org.apache.spark.SparkConf;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.serializer.DeserializationStream;
import org.apache.spark.serializer.JavaSerializer;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializationStream;
import org.apache.spark.serializer.Serializer;
import org.apache.spark.serializer.SerializerInstance;
import org.apache.spark.sql.SparkSession;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * Kryo (with {@link M3sparkKryoRegistrator}) against Java serialisation, the two choices for {@code spark.serializer}.
 *
 * <ol>
 *   <li>Per type, for the heavy values our jobs shuffle, cache and collect: bytes per record and nanoseconds per record
 *       to write a batch of distinct records to one serialisation stream and read them back — what a shuffle writer, a
 *       cache spill or a task result does (a Java stream resets every 100 objects, as Spark's does by default). Warmed
 *       up; the serialisers alternate in blocks ({@link Timing#alternating}) and the median pass counts.</li>
 *   <li>Whole jobs on an embedded {@code local[2]} Spark, a warm-up run and three timed runs per serialiser,
 *       alternating: {@code embed} with the tiny test model (dense, sparse and ColBERT) and {@code search} of synthetic
 *       1024-d embeddings with small shards, so that many partial hit lists are shuffled. Wall time, the tasks' CPU
 *       time (less disturbed by other load on a shared machine) and the bytes the shuffles wrote; the outputs of the
 *       two serialisers must be identical.</li>
 * </ol>
 *
 * <p>Run from {@code jobs/} (the tiny model's path is relative to it): {@code java -cp <test classpath>
 * io.m3spark.bench.SerializerBenchmark [types [name part] | jobs]} (both by default); docs/benchmarks.md has the
 * command line and the figures.
 */
public final class SerializerBenchmark {
  private static final ClassTag<Object> ANY = ClassTag$.MODULE$.apply(Object.class);
  private static final String JAVA = JavaSerializer.class.getName();
  private static final String KRYO = KryoSerializer.class.getName();

  private SerializerBenchmark() {}

  public static void main(String[] args) throws Exception {
    String what = args.length > 0 ? args[0] : "all";
    System.out.printf(Locale.ROOT, "%d cores, Java %s, load average %.1f%n", Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"), java.lang.management.ManagementFactory.getOperatingSystemMXBean()
            .getSystemLoadAverage());
    if (!what.equals("jobs")) {
      types(args.length > 1 ? args[1] : "");
    }
    if (!what.equals("types")) {
      jobs();
    }
  }

  // ---- per type ----

  /** @param only measure only the values whose name contains this */
  private static void types(String only) throws Exception {
    SparkConf conf = new SparkConf(false).set("spark.kryo.registrator", M3sparkKryoRegistrator.class.getName());
    // Kryo as shipped, and the two Spark settings that trade safety for speed, to see what they would buy.
    List<Serializer> serializers = List.of(new JavaSerializer(conf), new KryoSerializer(conf),
        new KryoSerializer(conf.clone().set("spark.kryo.referenceTracking", "false")),
        new KryoSerializer(conf.clone().set("spark.kryo.unsafe", "true")));
    System.out.println("\nbytes and time (write + read) per record:\n\n| value | records | Java | Kryo "
        + "| Kryo, referenceTracking=false | Kryo, unsafe=true |\n|---|---:|---:|---:|---:|---:|");
    Map<String, Sample> samples = new LinkedHashMap<>();
    samples.put("embedded record: 1024-d dense + 128 sparse weights",
        new Sample(2000, i -> SerializationSamples.embedded(1024, 128, 0, i)));
    samples.put("embedded record with ColBERT vectors, 128 × 1024 (+ dense, sparse)",
        new Sample(40, i -> SerializationSamples.embedded(1024, 128, 128, i)));
    samples.put("search hit list, k = 100 (HitListWire, the search shuffle)",
        new Sample(5000, i -> new HitListWire(SerializationSamples.hits(100, i))));
    samples.put("hits of one query, Hit[100] (mine and evaluate shuffles, caches)",
        new Sample(5000, i -> SerializationSamples.hits(100, i).hits()));
    samples.put("parsed text record, 500 words (embed cache)",
        new Sample(5000, i -> SerializationSamples.parsedText(500, i)));
    samples.put("training record: query, 1 pos, 2 neg, scores (mine)",
        new Sample(5000, SerializationSamples::trainRecord));
    samples.put("vector block 512 × 1024 (search cache)", new Sample(8, SerializerBenchmark::block));
    for (Map.Entry<String, Sample> e : samples.entrySet()) {
      if (e.getKey().contains(only)) {
        measure(e.getKey(), e.getValue(), serializers);
      }
    }
  }

  /** {@code count} distinct values made by {@code make}. */
  private record Sample(int count, LongFunction<Object> make) {}

  private static void measure(String name, Sample sample, List<Serializer> serializers) throws Exception {
    int n = sample.count();
    List<Object> values = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      values.add(sample.make().apply(i));
    }
    int[] bytes = new int[serializers.size()];
    Timing.Step[] steps = new Timing.Step[serializers.size()];
    for (int s = 0; s < serializers.size(); s++) {
      SerializerInstance instance = serializers.get(s).newInstance();
      bytes[s] = write(instance, values).length;
      steps[s] = () -> readAll(instance, write(instance, values), values.size());
    }
    double[] seconds = Timing.alternating(2, 3, 3.0, steps);
    StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "| %s | %d |", name, n));
    for (int s = 0; s < serializers.size(); s++) {
      row.append(String.format(Locale.ROOT, " %,d B, %,.1f µs |", bytes[s] / n, seconds[s] / n * 1e6));
    }
    System.out.println(row);
  }

  private static byte[] write(SerializerInstance instance, List<Object> values) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    SerializationStream stream = instance.serializeStream(out);
    for (Object v : values) {
      stream.writeObject(v, ANY);
    }
    stream.close();
    return out.toByteArray();
  }

  private static void readAll(SerializerInstance instance, byte[] bytes, int n) {
    DeserializationStream stream = instance.deserializeStream(new ByteArrayInputStream(bytes));
    for (int i = 0; i < n; i++) {
      if (stream.readObject(ANY) == null) {
        throw new IllegalStateException("record " + i + " read back as null");
      }
    }
    stream.close();
  }

  private static VectorBlock block(long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    int rows = 512;
    int dim = 1024;
    String[] ids = new String[rows];
    long[] ordinals = new long[rows];
    float[] vectors = new float[rows * dim];
    for (int r = 0; r < rows; r++) {
      ids[r] = String.format(Locale.ROOT, "%012d", seed * rows + r);
      ordinals[r] = seed * rows + r;
    }
    for (int i = 0; i < vectors.length; i++) {
      vectors[i] = (float) rnd.nextGaussian();
    }
    return new VectorBlock(ids, ordinals, vectors, dim);
  }

  // ---- whole jobs ----

  private static void jobs() throws Exception {
    Path dir = Files.createTempDirectory("m3spark-serializer-bench-");
    Path texts = dir.resolve("texts.jsonl");
    int textCount = 4000;
    writeTexts(texts, textCount);
    Path corpus = dir.resolve("corpus");
    Path queries = dir.resolve("queries");
    int corpusSize = 20_000;
    int queryCount = 2000;
    writeEmbeddings(corpus, corpusSize, 1024, 1);
    writeEmbeddings(queries, queryCount, 1024, 2);

    Map<String, Job> jobs = new LinkedHashMap<>();
    jobs.put(String.format(Locale.ROOT, "embed: %d texts, tiny model, dense + sparse + ColBERT, Parquet", textCount),
        (spark, out) -> EmbedJob.run(spark, ArgParser.parse(EmbedArgs.class, "--model_name_or_path",
            TinyM3.folder().toString(), "--input", texts.toString(), "--output", out.toString(), "--max_length", "128",
            "--batch_size", "32", "--return_sparse", "--return_colbert_vecs", "--overwrite")));
    jobs.put(String.format(Locale.ROOT, "search: %d queries × %d docs, 1024-d, k = 100, shards of 2048", queryCount,
        corpusSize), (spark, out) -> SearchJob.run(spark, ArgParser.parse(SearchArgs.class, "--corpus_embeddings",
            corpus.toString(), "--query_embeddings", queries.toString(), "--top_k", "100",
            "--corpus_shard_size", "2048", "--query_block_size", "256", "--output", out.toString(), "--overwrite")));
    int runs = 3;
    System.out.printf(Locale.ROOT, "%n%d runs each after a warm-up run, alternating; median (min) of wall seconds, "
        + "executor CPU seconds, and MB of shuffle written:%n%n| job (local[2]) | serializer | wall s | executor CPU s "
        + "| shuffle MB |%n|---|---|---:|---:|---:|%n", runs);
    for (Map.Entry<String, Job> job : jobs.entrySet()) {
      List<List<JobRun>> bySerializer = List.of(new ArrayList<>(), new ArrayList<>());
      for (int run = -1; run < runs; run++) {
        for (int s = 0; s < 2; s++) {
          JobRun r = withSerializer(s == 0 ? JAVA : KRYO, dir.resolve("out-" + s), job.getValue());
          if (run >= 0) {
            bySerializer.get(s).add(r);
          }
        }
      }
      for (int s = 0; s < 2; s++) {
        List<JobRun> r = bySerializer.get(s);
        System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %.1f |%n", job.getKey(), s == 0 ? "Java" : "Kryo",
            medianAndMin(r.stream().mapToDouble(JobRun::wallSeconds).toArray()),
            medianAndMin(r.stream().mapToDouble(JobRun::cpuSeconds).toArray()), r.get(0).shuffleBytes() / 1e6);
      }
      System.out.println("identical outputs with both serialisers: " + sameFiles(dir.resolve("out-0"),
          dir.resolve("out-1")));
    }
  }

  interface Job {
    Object run(SparkSession spark, Path output) throws Exception;
  }

  /** One run of a job: wall time, CPU time of its tasks, bytes its shuffles wrote. */
  private record JobRun(double wallSeconds, double cpuSeconds, long shuffleBytes) {}

  /** {@code job} on a fresh local[2] session with {@code serializer} (session start not counted). */
  private static JobRun withSerializer(String serializer, Path output, Job job) throws Exception {
    System.setProperty("spark.serializer", serializer);
    SparkSession spark = SparkSessions.local("serializer-benchmark", 2);
    AtomicLong cpuNanos = new AtomicLong();
    AtomicLong shuffleBytes = new AtomicLong();
    spark.sparkContext().addSparkListener(new SparkListener() {
      @Override
      public void onTaskEnd(SparkListenerTaskEnd end) {
        if (end.taskMetrics() != null) {
          cpuNanos.addAndGet(end.taskMetrics().executorCpuTime());
          shuffleBytes.addAndGet(end.taskMetrics().shuffleWriteMetrics().bytesWritten());
        }
      }
    });
    try {
      double seconds = Timing.once(() -> job.run(spark, output));
      return new JobRun(seconds, cpuNanos.get() / 1e9, shuffleBytes.get());
    } finally {
      spark.stop(); // waits for the listener bus to drain
      System.clearProperty("spark.serializer");
    }
  }

  private static String medianAndMin(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return String.format(Locale.ROOT, "%.1f (%.1f)", sorted[sorted.length / 2], sorted[0]);
  }

  private static void writeTexts(Path file, int n) throws Exception {
    ObjectMapper json = new ObjectMapper();
    SplittableRandom rnd = new SplittableRandom(5);
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (int i = 0; i < n; i++) {
        w.write(json.writeValueAsString(Map.of("id", "t" + i,
            "text", SerializationSamples.text(20 + rnd.nextInt(200), i))));
        w.newLine();
      }
    }
  }

  /** An embed output folder with only {@code dense.npy} and {@code ids.txt}, which is what search reads. */
  private static void writeEmbeddings(Path folder, int rows, int dim, long seed) throws Exception {
    Files.createDirectories(folder);
    SplittableRandom rnd = new SplittableRandom(seed);
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(folder.resolve("dense.npy")));
        NpyWriter npy = new NpyWriter(out, rows, dim);
        BufferedWriter ids = Files.newBufferedWriter(folder.resolve("ids.txt"))) {
      float[] v = new float[dim];
      for (int r = 0; r < rows; r++) {
        for (int i = 0; i < dim; i++) {
          v[i] = (float) rnd.nextGaussian();
        }
        npy.writeRow(v);
        ids.write(String.format(Locale.ROOT, "%s-%07d%n", folder.getFileName(), r));
      }
    }
  }

  /**
   * Whether two output folders hold the same data files, in the same order, with the same bytes (part file names carry
   * a job id; Spark's checksums, markers and our manifest, which holds timings, are left out).
   */
  private static boolean sameFiles(Path a, Path b) throws Exception {
    List<Path> filesA = dataFiles(a);
    List<Path> filesB = dataFiles(b);
    if (filesA.size() != filesB.size() || filesA.isEmpty()) {
      return false;
    }
    for (int i = 0; i < filesA.size(); i++) {
      if (!Arrays.equals(Files.readAllBytes(filesA.get(i)), Files.readAllBytes(filesB.get(i)))) {
        System.out.println("differs: " + a.relativize(filesA.get(i)));
        return false;
      }
    }
    return true;
  }

  private static List<Path> dataFiles(Path root) throws Exception {
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith("."))
          .filter(p -> !p.getFileName().toString().startsWith("_")).sorted().toList();
    }
  }
}
