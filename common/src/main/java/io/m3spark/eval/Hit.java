package io.m3spark.eval;

/**
 * One retrieved document of a query: its id, its score, and where it was read ({@code line}, for error messages, and
 * {@code seq}, its position in the input, which FlagEmbedding's stable sort keeps for ties).
 */
public record Hit(String docid, double score, long line, int seq) {}
