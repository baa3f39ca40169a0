package io.m3spark.jobs.prepare;

import io.m3spark.io.BadTrainRecord;
import java.util.List;

/** The input has bad records and {@code --skip_bad_records} is off: the message lists the first ones and the total. */
public final class BadTrainingDataException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public BadTrainingDataException(long total, List<BadTrainRecord> first) {
    super(message(total, first));
  }

  private static String message(long total, List<BadTrainRecord> first) {
    StringBuilder sb = new StringBuilder();
    sb.append(total).append(total == 1 ? " bad input record" : " bad input records")
        .append(" (nothing was written; fix them or pass --skip_bad_records to quarantine them):");
    for (BadTrainRecord b : first) {
      sb.append("\n  ").append(b.describe());
    }
    if (total > first.size()) {
      sb.append("\n  ... and ").append(total - first.size()).append(" more");
    }
    return sb.toString();
  }
}
