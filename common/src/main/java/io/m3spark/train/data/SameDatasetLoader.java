package io.m3spark.train.data;

import com.fasterxml.jackson.databind.JsonNode;
import io.m3spark.io.TrainRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Same-dataset mode loading (spec §4.4): each file is its own dataset, with its batch size, group size and
 * {@code no_in_batch_neg} marker. Inside a folder, files smaller than {@code smallThreshold} are merged into one pool,
 * kept only with at least {@code dropThreshold} records; a file given directly that is smaller than
 * {@code smallThreshold} is skipped, as in FlagEmbedding.
 *
 * <p>Per-file settings are read from the first well-formed record, as FlagEmbedding reads them from the first row; so
 * is, under knowledge distillation, whether the file has a teacher (a file without scores trains without, §4.4). The
 * pool takes the smallest batch size of its members (FlagEmbedding) and, our choice, the smallest group size, so no
 * member is sampled with more passages than its own file asked for; it is {@code no_in_batch_neg} only when every
 * member is, and distilled only when every member is (a batch mixing groups with and without teacher scores cannot
 * be scored).
 */
final class SameDatasetLoader {
  private static final Logger LOG = LoggerFactory.getLogger(SameDatasetLoader.class);
  static final String NO_IN_BATCH_NEG = "no_in_batch_neg";

  private final DataLoadOptions options;
  private final int perDeviceBatch;
  private final FileIndexer indexer;

  SameDatasetLoader(DataLoadOptions options, int perDeviceBatch) {
    this.options = options;
    this.perDeviceBatch = perDeviceBatch;
    this.indexer = new FileIndexer(options, this::groupSize);
  }

  /** The datasets of {@code paths}, sorted by name (the order {@link EpochPlan#sameDataset} numbers them in). */
  List<TrainDataset> load(List<Path> paths, BadRecordLog log) throws IOException {
    List<TrainDataset> out = new ArrayList<>();
    for (Path p : paths.stream().sorted().toList()) {
      TrainDataFiles.requireExists(p);
      if (Files.isDirectory(p)) {
        loadFolder(p, out, log);
      } else if (TrainDataFiles.isDataFile(p)) {
        IndexedFile file = indexer.index(p, log);
        if (file.size() < options.smallThreshold()) {
          LOG.warn("{}: {} records, fewer than small_threshold {}: skipped", p, file.size(), options.smallThreshold());
        } else if (file.size() > 0) {
          out.add(fileDataset(file, isMarked(p)));
        }
      }
    }
    out.sort(java.util.Comparator.comparing(d -> d.spec().name()));
    return out;
  }

  private void loadFolder(Path folder, List<TrainDataset> out, BadRecordLog log) throws IOException {
    boolean folderMarked = folder.getFileName().toString().endsWith(NO_IN_BATCH_NEG);
    List<TrainDataset> small = new ArrayList<>();
    for (Path f : TrainDataFiles.listFolder(folder)) {
      IndexedFile file = indexer.index(f, log);
      if (file.size() == 0) {
        continue;
      }
      TrainDataset d = fileDataset(file, folderMarked || isMarked(f));
      (file.size() < options.smallThreshold() ? small : out).add(d);
    }
    int pooled = small.stream().mapToInt(d -> d.spec().size()).sum();
    if (small.isEmpty()) {
      return;
    }
    if (pooled < options.dropThreshold()) {
      LOG.warn("{}: pool of {} small files has {} records, fewer than drop_threshold {}: dropped", folder,
          small.size(), pooled, options.dropThreshold());
      return;
    }
    List<IndexedFile> members = small.stream().flatMap(d -> ((IndexedRecords) d.records()).files().stream()).toList();
    if (!members.stream().allMatch(IndexedFile::teacher) && members.stream().anyMatch(IndexedFile::teacher)) {
      LOG.warn("{}: the pool of small files mixes files with and without teacher scores: the pool trains without",
          folder);
      members = members.stream().map(IndexedFile::withoutTeacher).toList();
    }
    DatasetSpec spec = new DatasetSpec(folder + "/(small files)", pooled,
        small.stream().mapToInt(d -> d.spec().batchSize()).min().orElseThrow(),
        small.stream().mapToInt(d -> d.spec().groupSize()).min().orElseThrow(),
        small.stream().allMatch(d -> d.spec().noInBatchNeg()));
    out.add(new TrainDataset(spec, new IndexedRecords(members)));
  }

  /** {@code *no_in_batch_neg.jsonl}: the marker is checked on the name without its extension. */
  static boolean isMarked(Path file) {
    String n = file.getFileName().toString();
    return n.substring(0, n.lastIndexOf('.')).endsWith(NO_IN_BATCH_NEG);
  }

  private TrainDataset fileDataset(IndexedFile file, boolean noInBatchNeg) {
    TrainRecord first = file.settings();
    if (options.knowledgeDistillation() && !file.teacher()) {
      LOG.warn("{}: no pos_scores/neg_scores in its first record: trains without teacher scores (§4.4)", file.name());
    }
    return new TrainDataset(new DatasetSpec(file.name(), file.size(), batchSize(first), groupSize(first),
        noInBatchNeg), new IndexedRecords(List.of(file)));
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
      return Math.min(first.neg().size() + 1, options.groupSize());
    }
    Integer column = positiveInt(first.json().get("train_group_size"));
    return column != null ? column : options.groupSize();
  }

  private static Integer positiveInt(JsonNode n) {
    return n != null && n.canConvertToExactIntegral() && n.asInt() > 0 ? n.asInt() : null;
  }
}
