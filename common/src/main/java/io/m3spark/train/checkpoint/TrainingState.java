package io.m3spark.train.checkpoint;

import io.m3spark.train.AdamWState;

/** Everything in a checkpoint besides the model weights: what a resumed run needs to continue as if uninterrupted. */
public record TrainingState(AdamWState optimizer, SchedulerState scheduler, RngState rng, TrainerState trainer) {}
