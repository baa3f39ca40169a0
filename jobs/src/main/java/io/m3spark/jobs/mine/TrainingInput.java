package io.m3spark.jobs.mine;

import io.m3spark.io.BadTrainRecord;
import io.m3spark.io.ParsedLine;
import io.m3spark.io.TrainRecord;
import io.m3spark.io.TrainRecordReader;
import io.m3spark.jobs.embed.InputFiles;
import io.m3spark.jobs.embed.NumberedLines;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * The training records of {@code --input_file}, validated line by line ({@link TrainRecordReader}: file and line for
 * every problem) and numbered 0, 1, 2, … in input order (files in the order given, a folder's files by name). A record's
 * number is its identity for the seeded sampler, counted over every non-blank line, good or bad, so that quarantining a
 * bad record does not change the negatives of the others.
 *
 * @param good record number → record, cached
 * @param bad the bad records in input order, cached
 */
public record TrainingInput(JavaPairRDD<Long, TrainRecord> good, JavaRDD<BadTrainRecord> bad) {

  static TrainingInput read(JavaSparkContext sc, List<String> inputs, Configuration conf) {
    List<InputFiles.InputFile> files = new ArrayList<>();
    for (String input : inputs) {
      for (InputFiles.InputFile f : InputFiles.resolve(input, conf)) {
        if (f.format() != InputFiles.Format.JSONL) {
          throw new IllegalArgumentException("--input_file " + f.path() + ": training data must be JSONL");
        }
        files.add(new InputFiles.InputFile(files.size(), f.path(), f.format()));
      }
    }
    JavaPairRDD<Long, Checked> parsed = NumberedLines.read(sc, files)
        .map(line -> new Tuple2<>(line.order(),
            Checked.of(new TrainRecordReader(false).parse(line.file(), line.number(), line.bytes()))))
        .filter(t -> t._2() != null)
        .sortBy(Tuple2::_1, true, Math.max(1, sc.defaultParallelism()))
        .zipWithIndex()
        .mapToPair(t -> new Tuple2<>(t._2(), t._1()._2()))
        .persist(StorageLevel.MEMORY_AND_DISK());
    JavaPairRDD<Long, TrainRecord> good = parsed.filter(t -> t._2().good() != null).mapValues(Checked::good);
    JavaRDD<BadTrainRecord> bad = parsed.filter(t -> t._2().bad() != null).map(t -> t._2().bad());
    return new TrainingInput(good, bad);
  }

  /** A non-blank line's outcome in a form Spark can shuffle: exactly one of the two is set. */
  public record Checked(TrainRecord good, BadTrainRecord bad) implements java.io.Serializable {
    /** Null for a blank line. */
    static Checked of(ParsedLine line) {
      if (line instanceof ParsedLine.Good g) {
        return new Checked(g.record(), null);
      }
      return line instanceof ParsedLine.Bad b ? new Checked(null, b.bad()) : null;
    }
  }
}
