package io.m3spark.train.data;

import io.m3spark.text.InstructionFormat;

/**
 * The arguments of spec §4.1 that shape one sampled group. {@code queryInstruction} and {@code passageInstruction} are
 * null when unset (FlagEmbedding's {@code None}).
 *
 * @param groupSize G, the default {@code train_group_size}: 1 positive + G−1 negatives
 * @param shuffleRatio probability of the positive-chunk shuffle (§4.1 {@code shuffle_ratio}), in [0, 1]
 * @param knowledgeDistillation whether teacher scores are sampled alongside the passages
 * @param sameDatasetWithinBatch same-dataset mode (§4.4), which changes the instruction rules
 */
public record SamplingOptions(int groupSize, double shuffleRatio, String queryInstruction,
    InstructionFormat queryInstructionFormat, String passageInstruction, InstructionFormat passageInstructionFormat,
    boolean knowledgeDistillation, boolean sameDatasetWithinBatch) {

  public SamplingOptions {
    if (groupSize < 1) {
      throw new IllegalArgumentException("train_group_size must be >= 1, got " + groupSize);
    }
    if (!(shuffleRatio >= 0 && shuffleRatio <= 1)) {
      throw new IllegalArgumentException("shuffle_ratio must be in [0, 1], got " + shuffleRatio);
    }
    if (queryInstructionFormat == null) {
      queryInstructionFormat = InstructionFormat.CONCAT;
    }
    if (passageInstructionFormat == null) {
      passageInstructionFormat = InstructionFormat.CONCAT;
    }
  }

  /** FlagEmbedding's defaults (G = 8, no instructions, no shuffle, no distillation, normal mode). */
  public static SamplingOptions defaults() {
    return new SamplingOptions(8, 0.0, null, null, null, null, false, false);
  }

  public SamplingOptions withGroupSize(int g) {
    return new SamplingOptions(g, shuffleRatio, queryInstruction, queryInstructionFormat, passageInstruction,
        passageInstructionFormat, knowledgeDistillation, sameDatasetWithinBatch);
  }

  public SamplingOptions withShuffleRatio(double r) {
    return new SamplingOptions(groupSize, r, queryInstruction, queryInstructionFormat, passageInstruction,
        passageInstructionFormat, knowledgeDistillation, sameDatasetWithinBatch);
  }

  public SamplingOptions withQueryInstruction(String instruction) {
    return new SamplingOptions(groupSize, shuffleRatio, instruction, queryInstructionFormat, passageInstruction,
        passageInstructionFormat, knowledgeDistillation, sameDatasetWithinBatch);
  }

  public SamplingOptions withPassageInstruction(String instruction) {
    return new SamplingOptions(groupSize, shuffleRatio, queryInstruction, queryInstructionFormat, instruction,
        passageInstructionFormat, knowledgeDistillation, sameDatasetWithinBatch);
  }

  public SamplingOptions withKnowledgeDistillation(boolean kd) {
    return new SamplingOptions(groupSize, shuffleRatio, queryInstruction, queryInstructionFormat, passageInstruction,
        passageInstructionFormat, kd, sameDatasetWithinBatch);
  }

  public SamplingOptions withSameDatasetWithinBatch(boolean same) {
    return new SamplingOptions(groupSize, shuffleRatio, queryInstruction, queryInstructionFormat, passageInstruction,
        passageInstructionFormat, knowledgeDistillation, same);
  }
}
