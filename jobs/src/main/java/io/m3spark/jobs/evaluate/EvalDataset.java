package io.m3spark.jobs.evaluate;

import io.m3spark.eval.Qrels;
import io.m3spark.eval.QrelsFormat;
import io.m3spark.eval.QrelsReader;
import io.m3spark.jobs.embed.BadRecord;
import io.m3spark.jobs.embed.DuplicateIds;
import io.m3spark.jobs.embed.InputFiles;
import io.m3spark.jobs.embed.JsonlSource;
import io.m3spark.jobs.embed.ParsedRecord;
import io.m3spark.jobs.embed.TextComposer;
import io.m3spark.jobs.embed.TextRecord;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;

/**
 * The files of a FlagEmbedding custom evaluation set (behaviour spec §5.1) in {@code dataset_dir}, local or on any
 * Hadoop file system: {@code corpus.jsonl} ({@code id}, {@code text}, optional {@code title}) and, for any split name,
 * {@code {split}_queries.jsonl} ({@code id}, {@code text}) and {@code {split}_qrels.jsonl} ({@code qid}, {@code docid},
 * {@code relevance}). Records are validated as the embed job validates them; any bad record or repeated id fails the
 * evaluation with file:line for each (an evaluation on silently dropped records would report wrong numbers).
 */
final class EvalDataset {
  static final int BAD_RECORDS_SHOWN = 10;

  private final String dir;
  private final Configuration conf;

  EvalDataset(String dir, Configuration conf) {
    this.dir = dir.endsWith("/") ? dir.substring(0, dir.length() - 1) : dir;
    this.conf = conf;
  }

  String corpusFile() {
    return dir + "/corpus.jsonl";
  }

  String queriesFile(String split) {
    return dir + "/" + split + "_queries.jsonl";
  }

  String qrelsFile(String split) {
    return dir + "/" + split + "_qrels.jsonl";
  }

  /** The corpus passages, text = (title + " " + text).strip(), keyed by input order. */
  JavaRDD<TextRecord> corpus(JavaSparkContext sc) {
    return read(sc, corpusFile(), new TextComposer(false, null, null));
  }

  /** One split's queries with the instruction applied. */
  JavaRDD<TextRecord> queries(JavaSparkContext sc, String split, TextComposer composer) {
    return read(sc, queriesFile(split), composer);
  }

  /** One split's qrels; a file on a Hadoop file system is copied to a local temporary file first. */
  Qrels qrels(String split) throws IOException {
    String file = qrelsFile(split);
    Path path = new Path(file);
    FileSystem fs = path.getFileSystem(conf);
    if (!fs.exists(path)) {
      throw new IllegalArgumentException("qrels file " + file + " does not exist (split '" + split + "')");
    }
    if (fs.getScheme().equals("file")) {
      return QrelsReader.read(Paths.get(fs.makeQualified(path).toUri()), QrelsFormat.JSONL);
    }
    java.nio.file.Path local = Files.createTempFile("m3spark-qrels-", ".jsonl");
    try {
      fs.copyToLocalFile(path, new Path(local.toUri()));
      return QrelsReader.read(local, QrelsFormat.JSONL);
    } finally {
      Files.deleteIfExists(local);
    }
  }

  private JavaRDD<TextRecord> read(JavaSparkContext sc, String file, TextComposer composer) {
    Path path = new Path(file);
    try {
      if (!path.getFileSystem(conf).exists(path)) {
        throw new IllegalArgumentException(file + " does not exist");
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot read " + file, e);
    }
    JavaRDD<ParsedRecord> parsed = JsonlSource.read(sc, InputFiles.resolve(file, conf), composer)
        .persist(StorageLevel.MEMORY_AND_DISK());
    JavaRDD<TextRecord> valid = parsed.filter(ParsedRecord::isGood).map(ParsedRecord::good);
    JavaRDD<BadRecord> bad = parsed.filter(r -> !r.isGood()).map(ParsedRecord::bad).union(DuplicateIds.find(valid));
    List<BadRecord> first = bad.takeOrdered(BAD_RECORDS_SHOWN, new ByOrder());
    if (!first.isEmpty()) {
      long total = bad.count();
      StringBuilder message = new StringBuilder(total + " bad records in " + file + ":");
      first.forEach(b -> message.append("\n  ").append(b.describe()));
      if (total > first.size()) {
        message.append("\n  ... and ").append(total - first.size()).append(" more");
      }
      throw new IllegalArgumentException(message.toString());
    }
    if (valid.isEmpty()) {
      throw new IllegalArgumentException(file + " has no records");
    }
    return valid;
  }

  /** Bad records in input order. */
  private static final class ByOrder implements Comparator<BadRecord>, Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public int compare(BadRecord a, BadRecord b) {
      return Long.compare(a.order(), b.order());
    }
  }
}
