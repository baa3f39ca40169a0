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
public record SearchResult(long queries, long corpusSize, int topK, String output, double seconds) {

  /** The summary the command line prints. */
  @Override
  public String toString() {
    return String.format(java.util.Locale.ROOT, "searched %d queries against %d documents (top %d) into %s in %.1f s: "
        + "%.0f queries/s", queries, corpusSize, topK, output, seconds, seconds > 0 ? queries / seconds : 0);
  }
}
