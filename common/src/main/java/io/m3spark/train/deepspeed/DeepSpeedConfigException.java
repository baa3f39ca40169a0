package io.m3spark.train.deepspeed;

/** A DeepSpeed config that m3spark refuses: a key it cannot honour, a bad value, or values that contradict the run. */
public final class DeepSpeedConfigException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public DeepSpeedConfigException(String message) {
    super(message);
  }

  /** A problem with the value at {@code keyPath} (dotted, e.g. {@code zero_optimization.stage}). */
  static DeepSpeedConfigException at(String keyPath, String problem) {
    return new DeepSpeedConfigException("DeepSpeed config '" + keyPath + "': " + problem);
  }
}
