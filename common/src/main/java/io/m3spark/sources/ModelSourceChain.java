package io.m3spark.sources;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Sources asked in order; the first that recognises a name resolves it. Results are remembered for the life of the
 * chain, so an executor that resolves the same model for every task downloads or copies it once and afterwards makes
 * no remote calls at all.
 */
public final class ModelSourceChain {
  private final List<ModelSource> sources;
  private final ConcurrentHashMap<Request, Path> resolved = new ConcurrentHashMap<>();

  private record Request(String nameOrPath, SourceOptions options) {}

  /** Sources in the order they are asked. */
  public ModelSourceChain(List<? extends ModelSource> sources) {
    this.sources = List.copyOf(sources);
  }

  /**
   * A local folder holding the model {@code nameOrPath} names.
   *
   * @throws FileNotFoundException when no source recognises the name; the message says what each one expected
   * @throws IOException when the recognising source fails (network, permissions, a missing remote folder...)
   */
  public Path resolve(String nameOrPath, SourceOptions options) throws IOException {
    Request request = new Request(nameOrPath.strip(), options);
    Path known = resolved.get(request);
    if (known != null) {
      return known;
    }
    for (ModelSource source : sources) {
      Optional<Path> folder = source.resolve(request.nameOrPath(), options);
      if (folder.isPresent()) {
        resolved.put(request, folder.get());
        return folder.get();
      }
    }
    throw new FileNotFoundException("cannot find model '" + request.nameOrPath() + "': "
        + sources.stream().map(s -> s.whyNot(request.nameOrPath(), options)).collect(Collectors.joining(", ")));
  }
}
