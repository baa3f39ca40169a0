package io.m3spark.jobs.train;

import io.m3spark.jobs.spark.ModelSpec;
import java.io.Serializable;

/**
 * What the driver decides for one launch of the training stage and every worker needs besides the flags.
 *
 * @param model the base model and how executors fetch it
 * @param resumeFrom the checkpoint folder to continue from (a path or a Hadoop URI), or null for a fresh start
 * @param workers W, the number of barrier tasks
 * @param threadsPerWorker libtorch intra-op threads of each worker (the cores of one task)
 * @param attempt 0 for the first launch, then 1, 2, … for each restart after a failure
 */
record WorkerLaunch(ModelSpec model, String resumeFrom, int workers, int threadsPerWorker, int attempt)
    implements Serializable {}
