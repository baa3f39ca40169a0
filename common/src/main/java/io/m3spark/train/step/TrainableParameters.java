package io.m3spark.train.step;

import ai.djl.ndarray.NDArray;
import io.m3spark.model.Encoder;
import io.m3spark.model.M3Heads;
import io.m3spark.model.ModelConfig;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Which parameters a run trains (flagembedding-behaviour.md §4.1), and which of them get weight decay.
 *
 * <p>Only parameters the loss reaches are trained: torch's AdamW skips a parameter whose gradient is None, so a head
 * that dense-only training never touches must not get weight decay or Adam updates here either.
 * <ul>
 *   <li>the encoder's parameters, unless {@code fix_encoder};</li>
 *   <li>without {@code fix_position_embedding}'s names containing {@code position_embeddings};</li>
 *   <li>the sparse and ColBERT heads only under {@code unified_finetuning}.</li>
 * </ul>
 */
public final class TrainableParameters {
  private TrainableParameters() {}

  /** The trained subset, name-sorted; each gets {@code setRequiresGradient(true)}, the rest {@code false}. */
  public static Map<String, NDArray> select(Map<String, NDArray> all, ModelConfig config, boolean unified,
      boolean fixEncoder, boolean fixPositionEmbedding) {
    Map<String, NDArray> out = new TreeMap<>();
    if (!fixEncoder) {
      for (String name : Encoder.expectedShapes(config).keySet()) {
        if (!(fixPositionEmbedding && name.contains("position_embeddings"))) {
          out.put(name, all.get(name));
        }
      }
    }
    if (unified) {
      for (String name : new String[] {M3Heads.COLBERT_WEIGHT, M3Heads.COLBERT_BIAS, M3Heads.SPARSE_WEIGHT,
          M3Heads.SPARSE_BIAS}) {
        out.put(name, all.get(name));
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("nothing to train: fix_encoder freezes the encoder and without "
          + "unified_finetuning the sparse and ColBERT heads take no part in the loss");
    }
    for (Map.Entry<String, NDArray> e : all.entrySet()) {
      e.getValue().setRequiresGradient(out.containsKey(e.getKey()));
    }
    return Collections.unmodifiableMap(out);
  }

  /**
   * The Hugging Face Trainer's decay rule: every parameter except biases and LayerNorm weights. (A DeepSpeed config
   * with its own optimizer section decays everything; {@code all} selects that.)
   */
  public static Predicate<String> decayed(boolean all) {
    return all ? name -> true : name -> !name.endsWith("bias") && !name.contains("LayerNorm");
  }
}
