package io.m3spark.train.precision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.m3spark.model.Scalars;
import io.m3spark.train.Autograd;
import io.m3spark.train.Gradients;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * fp16 training as DeepSpeed's {@code FP16_Optimizer} does it at ZeRO stage 0: the model's float32 parameters are the
 * master copy the optimizer updates; the forward and backward passes run on float16 working copies; the loss is
 * multiplied by a dynamic scale ({@link DynamicLossScaler}) so small gradients survive fp16.
 *
 * <p>Per optimizer step: {@link #scaleLoss} before each backward; {@link #gradientsToMaster} copies the fp16 gradients
 * into the master parameters' float32 gradients; after averaging over workers, {@link #unscale} divides them by the
 * scale or reports an overflow (then the step is skipped); after the optimizer, {@link #masterToWorking} refreshes the
 * working copies.
 *
 * <p>The working copies are separate leaves, not casts of the masters: a cast cuts the autograd graph, so gradients
 * could not flow from fp16 back to fp32.
 */
public final class MixedPrecision implements AutoCloseable {
  private final Map<String, NDArray> master;
  private final Map<String, NDArray> working = new LinkedHashMap<>();
  private final DynamicLossScaler scaler;
  private final NDManager manager;

  /**
   * @param all every parameter of the model (float32), by name
   * @param trainable the trained subset (they require gradients)
   */
  public MixedPrecision(Map<String, NDArray> all, Map<String, NDArray> trainable, LossScaling scaling,
      NDManager parent) {
    this.master = trainable;
    this.scaler = new DynamicLossScaler(scaling);
    this.manager = parent.newSubManager();
    for (Map.Entry<String, NDArray> e : all.entrySet()) {
      NDArray half = e.getValue().stopGradient().toType(DataType.FLOAT16, true);
      half.attach(manager);
      half.setRequiresGradient(trainable.containsKey(e.getKey()));
      working.put(e.getKey(), half);
    }
    defineMasterGradients();
  }

  /** The fp16 parameters the forward pass reads. */
  public Map<String, NDArray> working() {
    return Collections.unmodifiableMap(working);
  }

  public DynamicLossScaler scaler() {
    return scaler;
  }

  /** {@code loss × scale}, to back-propagate. */
  public NDArray scaleLoss(NDArray loss) {
    return scaler.scaleLoss(loss);
  }

  /** Zeroes the working copies' gradients before a step's first backward pass. */
  public void zeroWorkingGradients() {
    Gradients.zero(trainableWorking());
  }

  /** The step's (still scaled) fp16 gradients, as float32, into the master parameters' gradients. */
  public void gradientsToMaster() {
    for (Map.Entry<String, NDArray> e : master.entrySet()) {
      try (NDArray g = working.get(e.getKey()).getGradient()) {
        Gradients.assign(e.getValue(), g);
      }
    }
  }

  /**
   * Divides the master gradients by the scale, or finds an inf/NaN and reports an overflow; updates the scale either
   * way. Call after the gradients are averaged over workers, so every worker decides alike.
   *
   * @return whether the optimizer step may run
   */
  public boolean unscale() {
    List<NDArray> grads = new ArrayList<>();
    try {
      master.values().forEach(p -> grads.add(p.getGradient()));
      return scaler.unscale(grads);
    } finally {
      grads.forEach(NDArray::close);
    }
  }

  /** Copies the updated master parameters into the fp16 working copies. */
  public void masterToWorking() {
    for (Map.Entry<String, NDArray> e : master.entrySet()) {
      try (NDManager scratch = manager.newSubManager()) {
        NDArray data = working.get(e.getKey()).stopGradient(); // a view sharing the working copy's storage
        data.attach(scratch);
        NDArray source = e.getValue().stopGradient();
        source.attach(scratch);
        Gradients.overwrite(data, source);
      }
    }
  }

  /**
   * libtorch creates a parameter's {@code .grad} on its first backward pass, and DJL hands out a detached zero tensor
   * before that; one backward pass through Σ p·0 makes every master gradient a real, zero tensor that
   * {@link #gradientsToMaster} can write into.
   */
  private void defineMasterGradients() {
    try (NDManager scratch = manager.newSubManager(); Autograd autograd = new Autograd()) {
      NDArray sum = null;
      for (NDArray p : master.values()) {
        NDArray total = p.sum();
        total.attach(scratch);
        NDArray term = Scalars.times(total, 0);
        sum = sum == null ? term : sum.add(term);
      }
      if (sum != null) {
        autograd.backward(sum);
      }
    }
    Gradients.zero(master.values());
  }

  private List<NDArray> trainableWorking() {
    List<NDArray> out = new ArrayList<>();
    master.keySet().forEach(name -> out.add(working.get(name)));
    return out;
  }

  @Override
  public void close() {
    manager.close();
  }
}
