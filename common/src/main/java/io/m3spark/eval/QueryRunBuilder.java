package io.m3spark.eval;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Collects one query's hits and rejects a document retrieved twice. trec_eval stops with "duplicate docs" in that
 * case; we do the same, with the file and line, because either score could be the intended one.
 */
final class QueryRunBuilder {
  private final Path file;
  private final String qid;
  private final List<Hit> hits = new ArrayList<>();
  private final Set<String> docids = new HashSet<>();

  QueryRunBuilder(Path file, String qid) {
    this.file = file;
    this.qid = qid;
  }

  String qid() {
    return qid;
  }

  void add(String docid, double score, long line) throws EvalInputException {
    if (!docids.add(docid)) {
      throw new EvalInputException(file, line,
          "duplicate document '" + docid + "' for qid '" + qid + "' (trec_eval rejects duplicate docs too)");
    }
    hits.add(new Hit(docid, score, line, hits.size()));
  }

  QueryRun build() {
    return new QueryRun(qid, hits);
  }
}
