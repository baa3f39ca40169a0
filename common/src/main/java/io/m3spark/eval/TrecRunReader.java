package io.m3spark.eval;

import java.io.IOException;
import io.m3spark.io.TextLines;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * Streams a TREC run whose lines are grouped by qid (as search tools write them): one query in memory at a time. The
 * qids already finished are remembered (a string each), and a qid that comes back raises
 * {@link UngroupedRunException}, so an ungrouped run is never evaluated from fragments. Lines are read by
 * {@link TextLines} (strict UTF-8, byte-order mark dropped).
 */
public final class TrecRunReader implements RunReader {
  private final Path file;
  private final TextLines in;
  private final TrecRunLine parsed = new TrecRunLine();
  private final Set<String> finished = new HashSet<>();
  private QueryRunBuilder pending;
  private long lineNo;

  public TrecRunReader(Path file) throws IOException {
    this.file = file;
    this.in = TextLines.open(file);
  }

  @Override
  public QueryRun next() throws IOException {
    for (String line = in.next(); line != null; line = in.next()) {
      lineNo++;
      if (!parsed.parse(file, lineNo, line)) {
        continue;
      }
      if (pending == null || !pending.qid().equals(parsed.qid)) {
        if (finished.contains(parsed.qid)) {
          throw new UngroupedRunException(file, lineNo, parsed.qid);
        }
        QueryRunBuilder done = pending;
        pending = new QueryRunBuilder(file, parsed.qid);
        pending.add(parsed.docid, parsed.score, lineNo);
        if (done != null) {
          finished.add(done.qid());
          return done.build();
        }
      } else {
        pending.add(parsed.docid, parsed.score, lineNo);
      }
    }
    QueryRunBuilder last = pending;
    pending = null;
    if (last != null) {
      finished.add(last.qid());
      return last.build();
    }
    return null;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
