package io.m3spark.model;

/** FlagEmbedding's {@code compute_score} output for one query–passage pair. */
public record PairScores(double dense, double sparse, double colbert, double sparseDense, double colbertSparseDense) {}
