package io.m3spark.model;

import java.util.Map;

/**
 * The representations of one text. {@code dense}: the pooled (and normalised) vector, null unless asked for.
 * {@code sparse}: token id → weight, ids in order of first occurrence, null unless asked for. {@code colbert}:
 * (numTokens − 1) × dim vectors for positions 1..numTokens−1, null unless asked for. {@code numTokens}: length after
 * truncation, specials included; {@code truncated}: whether the text was cut.
 */
public record Embedding(float[] dense, Map<Integer, Float> sparse, float[][] colbert, int numTokens, boolean truncated) {}
