/**
 * The optimizer, schedule, clipping and fp16 settings of a training run, resolved in one place ({@link
 * io.m3spark.train.deepspeed.TrainingSetup}) from the Hugging Face arguments alone or together with a DeepSpeed JSON
 * config, the way {@code transformers}' {@code HfTrainerDeepSpeedConfig} and DeepSpeed itself read it. What a config
 * asks for that m3spark cannot honour is refused with the key's path rather than ignored.
 */
package io.m3spark.train.deepspeed;
