package io.m3spark.eval;

/** How a run (ranked search results) is written; {@link #AUTO} looks at the file's content. */
public enum RunFormat {
  /**
   * A first non-blank character '{' means JSON: a line that holds a whole object with {@code "hits"} is our search
   * JSONL, anything else (a pretty-printed or single-line object with {@code "search_results"}) FlagEmbedding's JSON.
   * Otherwise TREC.
   */
  AUTO,
  /** {@code qid Q0 docid rank score tag}, whitespace separated; rank and tag are ignored, extra fields too. */
  TREC,
  /** FlagEmbedding's search-results file: {@code {"eval_name": ..., "search_results": {qid: {docid: score}}}}. */
  FLAGEMBEDDING,
  /** Our search output: one {@code {"qid": ..., "hits": [{"docid": ..., "score": ...}]}} per line. */
  JSONL
}
