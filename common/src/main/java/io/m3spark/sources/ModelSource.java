package io.m3spark.sources;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One place a model folder can come from: a local folder, a Hadoop filesystem, the Hugging Face Hub, a built-in model.
 * {@link ModelSourceChain} asks each source in turn; the first that recognises the name resolves it.
 */
public interface ModelSource {

  /**
   * Turns {@code nameOrPath} into a local folder ready to load.
   *
   * @return empty when the name is not this source's kind of name (so the next source is asked); a folder otherwise
   * @throws IOException when the name is this source's kind but the model cannot be provided (missing, forbidden,
   *     network down...): the message says why, and no later source is asked
   */
  Optional<Path> resolve(String nameOrPath, SourceOptions options) throws IOException;

  /**
   * Why this source did not recognise {@code nameOrPath}, for the error listing what was tried, e.g.
   * {@code "not a Hub id (expected owner/name[@revision])"}.
   */
  String whyNot(String nameOrPath, SourceOptions options);
}
