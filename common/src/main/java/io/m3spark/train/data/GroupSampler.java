package io.m3spark.train.data;

import io.m3spark.io.ParsedLine;
import io.m3spark.io.TrainRecord;
import io.m3spark.mining.RecordRandom;
import io.m3spark.text.InstructionFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one training record into a {@link TrainGroup} (spec §4.3): the query with its instruction, one positive drawn
 * uniformly (then the {@code shuffle_ratio} augmentation), G−1 negatives by {@link NegativeDraw}, the teacher scores
 * of exactly those passages when distilling, and the passage instruction on every passage.
 *
 * <p>Randomness comes only from the generator passed in, drawn in a fixed order (positive, shuffle, negatives), so a
 * group is a pure function of (record, generator seed) — use {@link #randomFor} for the per-record stream.
 *
 * <p>Divergence from FlagEmbedding: in same-dataset mode, a record with neither a {@code prompt} nor a global query
 * instruction keeps its query as is; FlagEmbedding formats Python's {@code None} and prefixes every query with the
 * literal text "None" (§4.4 pitfall), which only ever hurts.
 */
public final class GroupSampler {
  private static final Logger LOG = LoggerFactory.getLogger(GroupSampler.class);

  private final SamplingOptions options;

  public GroupSampler(SamplingOptions options) {
    this.options = options;
    if (options.groupSize() == 1) {
      LOG.warn("train_group_size 1: every group is just its positive, so without in-batch negatives the loss is a "
          + "softmax over one candidate and collapses to 0 (FlagEmbedding #823)");
    }
  }

  /**
   * The generator for the record at {@code recordIndex} in epoch {@code epoch}: a fresh draw each epoch, independent
   * of which rank or batch the record lands in.
   */
  public static RandomGenerator randomFor(long seed, long epoch, long recordIndex) {
    return RecordRandom.forRecord(RecordRandom.forRecord(seed, epoch).nextLong(), recordIndex);
  }

  /** A group of the default size G. */
  public TrainGroup sample(ParsedLine.Good line, RandomGenerator random) {
    return sample(line, options.groupSize(), random);
  }

  /** A group of {@code groupSize} passages (same-dataset mode sets it per file, §4.4). */
  public TrainGroup sample(ParsedLine.Good line, int groupSize, RandomGenerator random) {
    TrainRecord record = line.record();
    List<String> pos = record.pos();
    List<String> neg = record.neg();
    if (groupSize > 1 && neg.isEmpty()) {
      throw TrainDataException.at(line.file(), line.line(),
          "neg: no negatives; a training record needs at least one (FlagEmbedding divides by zero here) — mine "
              + "hard negatives first");
    }
    boolean distill = usesTeacher(line);

    int p = random.nextInt(pos.size());
    String positive = PositiveShuffle.apply(pos.get(p), options.shuffleRatio(), random);
    int[] negIdx = groupSize > 1 ? NegativeDraw.indices(neg.size(), groupSize - 1, random) : new int[0];

    List<String> passages = new ArrayList<>(groupSize);
    passages.add(positive);
    for (int i : negIdx) {
      passages.add(neg.get(i));
    }
    float[] scores = null;
    if (distill) {
      scores = new float[groupSize];
      scores[0] = record.posScores().get(p);
      for (int i = 0; i < negIdx.length; i++) {
        scores[i + 1] = record.negScores().get(negIdx[i]);
      }
    }
    String queryInstruction = queryInstruction(record);
    String query = queryInstruction == null ? record.query()
        : options.queryInstructionFormat().apply(queryInstruction, record.query());
    return new TrainGroup(query, passages.stream().map(t -> passageText(record, queryInstruction, t)).toList(), scores);
  }

  /** Whether this record's scores are sampled; throws when distillation needs scores the record lacks. */
  private boolean usesTeacher(ParsedLine.Good line) {
    if (!options.knowledgeDistillation()) {
      return false;
    }
    TrainRecord r = line.record();
    boolean missing = r.posScores() == null || r.negScores() == null
        || (r.posScores().isEmpty() && r.negScores().isEmpty());
    if (missing) {
      if (options.sameDatasetWithinBatch()) {
        return false; // §4.4: same-dataset mode trains such files without a teacher
      }
      throw TrainDataException.at(line.file(), line.line(),
          "pos_scores/neg_scores: missing, but knowledge_distillation is on (score the data with a reranker first)");
    }
    if (r.posScores().size() != r.pos().size() || r.negScores().size() != r.neg().size()) {
      throw TrainDataException.at(line.file(), line.line(), "pos_scores/neg_scores: " + r.posScores().size() + "/"
          + r.negScores().size() + " values for " + r.pos().size() + "/" + r.neg().size() + " texts (must align 1:1)");
    }
    return true;
  }

  /** §4.3: normal mode formats only under a global instruction; same-dataset mode whenever there is one of the two. */
  private String queryInstruction(TrainRecord record) {
    String global = options.queryInstruction();
    if (!options.sameDatasetWithinBatch() && global == null) {
      return null;
    }
    return record.prompt() != null ? record.prompt() : global;
  }

  /**
   * Same-dataset mode also puts the query instruction on the passages of symmetric STS/clustering data, where
   * passages are queries too (§4.4); the passage instruction, when set, then wraps every passage.
   */
  private String passageText(TrainRecord record, String queryInstruction, String text) {
    String out = text;
    String type = record.type();
    if (options.sameDatasetWithinBatch() && queryInstruction != null
        && ("symmetric_sts".equals(type) || "symmetric_clustering".equals(type))) {
      out = options.queryInstructionFormat().apply(queryInstruction, out);
    }
    if (options.passageInstruction() != null) {
      out = options.passageInstructionFormat().apply(options.passageInstruction(), out);
    }
    return out;
  }
}
