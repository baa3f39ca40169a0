package io.m3spark.train.data;

import io.m3spark.text.M3Tokenizer;
import io.m3spark.text.TokenBatch;
import io.m3spark.text.TokenizedText;
import java.util.ArrayList;
import java.util.List;

/**
 * Tokenises a list of groups into a {@link TrainBatch} (spec §4.3): queries truncated to {@code query_max_len},
 * the flattened B·G passages to {@code passage_max_len}, each side padded to its longest text rounded up to
 * {@code pad_to_multiple_of}, teacher scores flattened to B·G.
 */
public final class Collator {
  private final M3Tokenizer tokenizer;
  private final int queryMaxLen;
  private final int passageMaxLen;
  private final int padToMultipleOf;

  /** @param padToMultipleOf 1 for plain dynamic padding (FlagEmbedding's {@code None}) */
  public Collator(M3Tokenizer tokenizer, int queryMaxLen, int passageMaxLen, int padToMultipleOf) {
    this.tokenizer = tokenizer;
    this.queryMaxLen = queryMaxLen;
    this.passageMaxLen = passageMaxLen;
    this.padToMultipleOf = padToMultipleOf;
  }

  public TrainBatch collate(List<TrainGroup> groups, boolean noInBatchNeg) {
    if (groups.isEmpty()) {
      throw new IllegalArgumentException("empty batch");
    }
    int g = groups.get(0).groupSize();
    boolean distill = groups.get(0).teacherScores() != null;
    List<TokenizedText> queries = new ArrayList<>(groups.size());
    List<TokenizedText> passages = new ArrayList<>(groups.size() * g);
    float[] scores = distill ? new float[groups.size() * g] : null;
    for (int b = 0; b < groups.size(); b++) {
      TrainGroup group = groups.get(b);
      // the loss reads passages by offset b·G, so every group of one batch must be the same size
      if (group.groupSize() != g) {
        throw new IllegalArgumentException("group " + b + " has " + group.groupSize() + " passages, group 0 has " + g);
      }
      if ((group.teacherScores() != null) != distill) {
        throw new IllegalArgumentException("group " + b + " and group 0 disagree on having teacher scores");
      }
      queries.add(tokenizer.encode(group.query(), queryMaxLen));
      group.passages().forEach(p -> passages.add(tokenizer.encode(p, passageMaxLen)));
      if (distill) {
        System.arraycopy(group.teacherScores(), 0, scores, b * g, g);
      }
    }
    int pad = tokenizer.padId();
    return new TrainBatch(TokenBatch.pad(queries, pad, padToMultipleOf), TokenBatch.pad(passages, pad, padToMultipleOf),
        scores, g, noInBatchNeg);
  }
}
