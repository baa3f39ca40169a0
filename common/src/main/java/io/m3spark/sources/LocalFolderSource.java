package io.m3spark.sources;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A folder on this machine, given as a path or a {@code file:} URI. A plain path that does not exist is not an error
 * here (it may be a Hub id); a {@code file:} URI that is not a folder is, since it cannot mean anything else.
 */
public final class LocalFolderSource implements ModelSource {

  @Override
  public Optional<Path> resolve(String nameOrPath, SourceOptions options) throws NoSuchFileException, NotDirectoryException {
    if (nameOrPath.startsWith("file:")) {
      Path path = Path.of(URI.create(nameOrPath));
      if (!Files.exists(path)) {
        throw new NoSuchFileException(path.toString(), null, "no such model folder (from " + nameOrPath + ")");
      }
      if (!Files.isDirectory(path)) {
        throw new NotDirectoryException(path + " is a file; a model is a folder (config.json, weights, tokenizer)");
      }
      return Optional.of(path.toAbsolutePath());
    }
    return asPath(nameOrPath).filter(Files::isDirectory).map(Path::toAbsolutePath);
  }

  @Override
  public String whyNot(String nameOrPath, SourceOptions options) {
    Optional<Path> path = asPath(nameOrPath);
    if (path.isEmpty()) {
      return "not a local path";
    }
    Path abs = path.get().toAbsolutePath();
    return Files.exists(abs) ? "not a local folder (" + abs + " is a file)" : "not a local folder (" + abs + " does not exist)";
  }

  private static Optional<Path> asPath(String s) {
    try {
      return Optional.of(Path.of(s));
    } catch (IllegalArgumentException e) { // InvalidPathException: characters the filesystem refuses
      return Optional.empty();
    }
  }
}
