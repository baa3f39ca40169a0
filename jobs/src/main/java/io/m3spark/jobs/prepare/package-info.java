/**
 * {@code m3spark prepare ...}: data preparation commands (import SQuAD/KorQuAD, split train/test without leakage, build
 * an evaluation set). They run on the driver only, streaming local files, because they are I/O-bound passes that a
 * Spark session would only slow down; every output is written atomically, and bad records either fail the command
 * (listed with file and line) or go to a quarantine file with {@code --skip_bad_records}.
 */
package io.m3spark.jobs.prepare;
