package io.m3spark.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.m3spark.weights.HostTensor;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * AdamW with decoupled weight decay, as {@code torch.optim.AdamW} (flagembedding-behaviour.md §4.2). For step t:
 * p ← p·(1 − lr·wd) (only where {@code decays}); m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²;
 * p ← p − lr/(1−β1ᵗ) · m / (√v / √(1−β2ᵗ) + ε) — ε outside the square root.
 *
 * <p>Parameters are updated in place; call {@link #step} with gradient recording off (after the
 * {@code GradientCollector} is closed). The moment buffers live in this optimizer's own manager.
 */
public final class AdamW implements AutoCloseable {
  private final double beta1;
  private final double beta2;
  private final double eps;
  private final double weightDecay;
  private final Predicate<String> decays;
  private final NDManager manager;
  private final Map<String, NDArray[]> moments = new HashMap<>();
  private long t;

  /** @param decays which parameters (by name) get weight decay */
  public AdamW(double beta1, double beta2, double eps, double weightDecay, Predicate<String> decays, NDManager parent) {
    if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1 && eps >= 0 && weightDecay >= 0)) {
      throw new IllegalArgumentException("AdamW: need betas in [0, 1), eps >= 0, weight decay >= 0");
    }
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
    this.weightDecay = weightDecay;
    this.decays = decays;
    this.manager = parent.newSubManager();
  }

  /** Steps taken so far. */
  public long steps() {
    return t;
  }

  /** A host copy of the step count and moment estimates, bit for bit, e.g. for a checkpoint. */
  public AdamWState exportState() {
    Map<String, HostTensor> first = new TreeMap<>();
    Map<String, HostTensor> second = new TreeMap<>();
    for (Map.Entry<String, NDArray[]> e : moments.entrySet()) {
      first.put(e.getKey(), HostArrays.toHost(e.getValue()[0]));
      second.put(e.getKey(), HostArrays.toHost(e.getValue()[1]));
    }
    return new AdamWState(t, first, second);
  }

  /**
   * Replaces this optimizer's step count and moments with {@code state} (hyper-parameters stay as constructed). The
   * moments keep the element type they were saved with, so the next {@link #step} continues exactly where the saved
   * run left off.
   */
  public void importState(AdamWState state) {
    for (NDArray[] mv : moments.values()) {
      mv[0].close();
      mv[1].close();
    }
    moments.clear();
    for (String name : state.firstMoments().keySet()) {
      moments.put(name, new NDArray[] {HostArrays.toDevice(state.firstMoments().get(name), manager),
          HostArrays.toDevice(state.secondMoments().get(name), manager)});
    }
    t = state.steps();
  }

  /** One update of every parameter that has a gradient, at learning rate {@code lr}. */
  public void step(Map<String, NDArray> params, double lr) {
    t++;
    double bc1 = 1 - Math.pow(beta1, t);
    double sqrtBc2 = Math.sqrt(1 - Math.pow(beta2, t));
    try (NDManager scratch = manager.newSubManager()) {
      for (Map.Entry<String, NDArray> e : params.entrySet()) {
        NDArray p = e.getValue();
        if (!p.hasGradient()) {
          continue;
        }
        NDArray g = p.getGradient();
        g.attach(scratch);
        NDArray[] mv = moments.computeIfAbsent(e.getKey(), k -> new NDArray[] {manager.zeros(p.getShape(), p.getDataType()),
            manager.zeros(p.getShape(), p.getDataType())});
        // Update through a detached view that shares the parameter's storage: libtorch refuses in-place changes of a
        // leaf that requires grad while grad mode is on, and grad mode is per thread (on for any thread but the one
        // that started the engine, e.g. a Spark task thread).
        NDArray data = p.stopGradient();
        data.attach(scratch);
        if (weightDecay > 0 && decays.test(e.getKey())) {
          data.muli((float) (1 - lr * weightDecay));
        }
        mv[0].muli((float) beta1).addi(g.mul((float) (1 - beta1)));
        mv[1].muli((float) beta2).addi(g.mul(g).muli((float) (1 - beta2)));
        // results of operations on the moments belong to the moments' (long-lived) manager: move them to this
        // step's scratch, or every step leaves two parameter-sized tensors behind
        NDArray denom = mv[1].sqrt();
        denom.attach(scratch);
        denom.divi((float) sqrtBc2).addi((float) eps);
        NDArray update = mv[0].div(denom);
        update.attach(scratch);
        data.subi(update.muli((float) (lr / bc1)));
      }
    }
  }

  @Override
  public void close() {
    manager.close();
  }
}
