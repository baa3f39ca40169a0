package io.m3spark.eval;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Thrown by the streaming TREC reader when a qid comes back after other qids: the run is not grouped by query, so the
 * queries already handed out may be incomplete. {@link Evaluator} then starts over with a
 * {@link PartitionedTrecRunReader}.
 */
public final class UngroupedRunException extends IOException {
  private static final long serialVersionUID = 1L;

  UngroupedRunException(Path file, long line, String qid) {
    super(file + ":" + line + ": qid '" + qid + "' reappears after other queries (run not grouped by qid)");
  }
}
