package io.m3spark.eval;

/** How a qrels file is written; {@link #AUTO} looks at the first non-blank character. */
public enum QrelsFormat {
  /** '{' → {@link #JSONL}, anything else → {@link #TREC}. */
  AUTO,
  /** trec_eval's {@code qid iter docid relevance}, whitespace separated; the iteration field is ignored. */
  TREC,
  /** FlagEmbedding's {@code {split}_qrels.jsonl}: {@code {"qid": ..., "docid": ..., "relevance": int}} per line. */
  JSONL
}
