package io.m3spark.sources;

import io.m3spark.model.BuiltinModels;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The built-in model names of {@link BuiltinModels} as a {@link ModelSource} (registered through
 * {@code META-INF/services}), cached in {@link SourceOptions#copyCacheDir()}. Callers that load the result should ask
 * {@link BuiltinModels#requiresNewHeads(String)}: the built-in models have no M3 heads.
 */
public final class BuiltinModelSource implements ModelSource {

  @Override
  public Optional<Path> resolve(String nameOrPath, SourceOptions options) throws IOException {
    if (!BuiltinModels.isBuiltin(nameOrPath)) {
      return Optional.empty();
    }
    return BuiltinModels.resolve(nameOrPath, options.copyCacheDir()).map(BuiltinModels.ResolvedModel::folder);
  }

  @Override
  public String whyNot(String nameOrPath, SourceOptions options) {
    return "not a built-in model name (" + BuiltinModels.BGE_SMALL_EN_V15 + ")";
  }
}
