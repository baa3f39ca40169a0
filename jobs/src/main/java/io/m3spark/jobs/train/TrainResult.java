package io.m3spark.jobs.train;

/**
 * What {@code m3spark train} did.
 *
 * @param outputDir where the model and checkpoints are: a path, or the URI of a folder on a Hadoop store
 * @param steps optimizer steps reached
 * @param lastLoss the last step's loss (mean over workers)
 * @param restarts how many times the driver relaunched the workers after a failure
 * @param samplesPerSecond queries per second over the last launch, all workers together
 */
public record TrainResult(String outputDir, int workers, long steps, double lastLoss, int restarts,
    double samplesPerSecond) {}
