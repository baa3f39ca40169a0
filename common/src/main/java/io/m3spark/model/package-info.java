/**
 * BGE-M3 on DJL/PyTorch with FlagEmbedding's semantics.
 *
 * <ul>
 *   <li>{@link io.m3spark.model.M3Model}: load a Hugging Face folder (config.json, model.safetensors / sharded /
 *       pytorch_model.bin, colbert_linear.pt, sparse_linear.pt, tokenizer files), {@code encode}/{@code embed} to
 *       {@link io.m3spark.model.Embedding}s, {@code save} in the same layout, {@code fingerprint}.</li>
 *   <li>{@link io.m3spark.model.Encoder}: the functional transformer forward over named parameters (for training and
 *       per-layer recomputation); {@link io.m3spark.model.M3Heads}: dense / sparse / ColBERT heads.</li>
 *   <li>{@link io.m3spark.model.Scores}: inference scores and their weighted combinations.</li>
 * </ul>
 *
 * <p>Thread safety: {@code M3Model.embed/encode} may be called concurrently; the forward pass is stateless over
 * read-only parameters, each call in its own NDManager sub-manager. Intra-op threads: {@code M3Model.setNumThreads}.
 */
package io.m3spark.model;
