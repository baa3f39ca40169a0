package io.m3spark.jobs.search;

/**
 * What {@code m3spark search} reports when done.
 *
 * @param queries queries searched
 * @param corpusSize documents searched
 * @param topK hits asked per query
 * @param output the output folder
 * @param seconds wall time of the whole job
 */
public record SearchResult(long queries, long corpusSize, int topK, String output, double seconds) {}
