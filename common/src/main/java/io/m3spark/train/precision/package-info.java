/**
 * Mixed-precision training as DeepSpeed's fp16 mode does it: dynamic loss scaling ({@link
 * io.m3spark.train.precision.DynamicLossScaler}) with its settings ({@link io.m3spark.train.precision.LossScaling}).
 */
package io.m3spark.train.precision;
