package io.m3spark.train.data;

import com.fasterxml.jackson.databind.JsonNode;
import io.m3spark.io.ParsedLine;
import io.m3spark.io.TrainRecord;
import io.m3spark.io.TrainRecordReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Same-dataset mode loading (spec §4.4): each file is its own dataset, with its batch size, group size and
 * {@code no_in_batch_neg} marker. Inside a folder, files smaller than {@code smallThreshold} are merged into one pool,
 * kept only with at least {@code dropThreshold} records; a file given directly that is smaller than
 * {@code smallThreshold} is skipped, as in FlagEmbedding.
 *
 * <p>Per-file settings are read from the first record, as FlagEmbedding does. The pool takes the smallest batch size of
 * its members (FlagEmbedding) and, our choice, the smallest group size, so no member is sampled with more passages
 * than its own file asked for; it is {@code no_in_batch_neg} only when every member is.
 */
public final class SameDatasetLoader {
  private static final Logger LOG = LoggerFactory.getLogger(SameDatasetLoader.class);
  static final String NO_IN_BATCH_NEG = "no_in_batch_neg";

  private final TrainRecordReader reader;
  private final int perDeviceBatch;
  private final int groupSize;
  private final int smallThreshold;
  private final int dropThreshold;

  public SameDatasetLoader(TrainRecordReader reader, int perDeviceBatch, int groupSize, int smallThreshold,
      int dropThreshold) {
    this.reader = reader;
    this.perDeviceBatch = perDeviceBatch;
    this.groupSize = groupSize;
    this.smallThreshold = smallThreshold;
    this.dropThreshold = dropThreshold;
  }

  /** The datasets of {@code paths}, sorted by name (the order {@link EpochPlan#sameDataset} numbers them in). */
  public List<TrainDataset> load(List<Path> paths) throws IOException {
    List<TrainDataset> out = new ArrayList<>();
    for (Path p : paths.stream().sorted().toList()) {
      TrainDataFiles.requireExists(p);
      if (Files.isDirectory(p)) {
        loadFolder(p, out);
      } else if (TrainDataFiles.isDataFile(p)) {
        List<ParsedLine.Good> records = TrainDataFiles.read(p, reader);
        if (records.size() < smallThreshold) {
          LOG.warn("{}: {} records, fewer than small_threshold {}: skipped", p, records.size(), smallThreshold);
        } else if (!records.isEmpty()) {
          out.add(fileDataset(p, records, isMarked(p)));
        }
      }
    }
    out.sort(Comparator.comparing(d -> d.spec().name()));
    return out;
  }

  private void loadFolder(Path folder, List<TrainDataset> out) throws IOException {
    boolean folderMarked = folder.getFileName().toString().endsWith(NO_IN_BATCH_NEG);
    List<TrainDataset> small = new ArrayList<>();
    for (Path f : TrainDataFiles.listFolder(folder)) {
      List<ParsedLine.Good> records = TrainDataFiles.read(f, reader);
      if (records.isEmpty()) {
        continue;
      }
      TrainDataset d = fileDataset(f, records, folderMarked || isMarked(f));
      (records.size() < smallThreshold ? small : out).add(d);
    }
    int pooled = small.stream().mapToInt(d -> d.records().size()).sum();
    if (small.isEmpty()) {
      return;
    }
    if (pooled < dropThreshold) {
      LOG.warn("{}: pool of {} small files has {} records, fewer than drop_threshold {}: dropped", folder,
          small.size(), pooled, dropThreshold);
      return;
    }
    List<ParsedLine.Good> records = new ArrayList<>(pooled);
    small.forEach(d -> records.addAll(d.records()));
    DatasetSpec spec = new DatasetSpec(folder + "/(small files)", pooled,
        small.stream().mapToInt(d -> d.spec().batchSize()).min().orElseThrow(),
        small.stream().mapToInt(d -> d.spec().groupSize()).min().orElseThrow(),
        small.stream().allMatch(d -> d.spec().noInBatchNeg()));
    out.add(new TrainDataset(spec, records));
  }

  /** {@code *no_in_batch_neg.jsonl}: the marker is checked on the name without its extension. */
  static boolean isMarked(Path file) {
    String n = file.getFileName().toString();
    return n.substring(0, n.lastIndexOf('.')).endsWith(NO_IN_BATCH_NEG);
  }

  private TrainDataset fileDataset(Path file, List<ParsedLine.Good> records, boolean noInBatchNeg) {
    TrainRecord first = records.get(0).record();
    return new TrainDataset(new DatasetSpec(file.toString(), records.size(), batchSize(first), groupSize(first),
        noInBatchNeg), records);
  }

  /** The {@code batch_size} column, else the per-device size, halved for symmetric data (at least 1). */
  int batchSize(TrainRecord first) {
    Integer column = positiveInt(first.json().get("batch_size"));
    if (column != null) {
      return column;
    }
    String type = first.type();
    return type != null && type.contains("symmetric") ? Math.max(1, perDeviceBatch / 2) : perDeviceBatch;
  }

  /** {@code only_1neg} → 2; {@code symmetric_class} → min(len(neg)+1, G); else the {@code train_group_size} column, else G. */
  int groupSize(TrainRecord first) {
    String type = first.type();
    if ("only_1neg".equals(type)) {
      return 2;
    }
    if ("symmetric_class".equals(type)) {
      return Math.min(first.neg().size() + 1, groupSize);
    }
    Integer column = positiveInt(first.json().get("train_group_size"));
    return column != null ? column : groupSize;
  }

  private static Integer positiveInt(JsonNode n) {
    return n != null && n.canConvertToExactIntegral() && n.asInt() > 0 ? n.asInt() : null;
  }
}
