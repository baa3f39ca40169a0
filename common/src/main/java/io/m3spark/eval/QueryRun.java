package io.m3spark.eval;

import java.util.List;

/** Every hit of one query in a run, in input order (not yet ranked). */
public record QueryRun(String qid, List<Hit> hits) {}
