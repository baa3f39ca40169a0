package io.m3spark.train.deepspeed;

/**
 * AdamW's hyper-parameters for a run (the peak learning rate; the schedule gives the one per step).
 *
 * @param decaysNormsAndBiases whether weight decay also applies to biases and LayerNorm weights: false for the
 *     Hugging Face optimizer (its {@code get_decay_parameter_names} leaves them out), true when DeepSpeed builds the
 *     optimizer from its config, since the Trainer then hands it all trainable parameters as one group
 */
public record OptimizerSettings(double lr, double beta1, double beta2, double eps, double weightDecay,
    boolean decaysNormsAndBiases) {

  public OptimizerSettings {
    if (!(lr >= 0 && beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1 && eps >= 0 && weightDecay >= 0)) {
      throw new IllegalArgumentException("AdamW needs lr >= 0, betas in [0, 1), eps >= 0, weight decay >= 0; got "
          + lr + ", " + beta1 + ", " + beta2 + ", " + eps + ", " + weightDecay);
    }
  }

  /** The Hugging Face Trainer's own AdamW. */
  static OptimizerSettings huggingFace(HfTrainingArgs args) {
    return new OptimizerSettings(args.learningRate(), args.adamBeta1(), args.adamBeta2(), args.adamEpsilon(),
        args.weightDecay(), false);
  }
}
