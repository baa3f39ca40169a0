package io.m3spark.jobs.embed;

import java.io.Serializable;

/** A valid input record: the id and the exact text the model will see (title and instruction already applied). */
public record TextRecord(long order, String id, String text, SourcePosition position) implements Serializable {}
