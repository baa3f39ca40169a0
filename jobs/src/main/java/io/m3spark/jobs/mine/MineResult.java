package io.m3spark.jobs.mine;

import java.util.Map;

/**
 * What {@code m3spark mine} reports when done.
 *
 * @param records records mined and written
 * @param badRecords records quarantined
 * @param corpusSize distinct texts searched
 * @param output the mined JSONL
 * @param warnings the mining report's warnings
 * @param stageSeconds wall time per stage (read, embed corpus, embed queries, search, sample, write)
 */
public record MineResult(long records, long badRecords, long corpusSize, String output, java.util.List<String> warnings,
    Map<String, Double> stageSeconds) {}
