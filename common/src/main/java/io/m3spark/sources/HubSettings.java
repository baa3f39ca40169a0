package io.m3spark.sources;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * How to reach the Hub and where its cache is, read from the same environment variables huggingface_hub reads, so a
 * machine set up for Python works unchanged.
 *
 * @param endpoint {@code HF_ENDPOINT}, default {@code https://huggingface.co}
 * @param token {@code HF_TOKEN}, else the file {@code HF_TOKEN_PATH}, else {@code $HF_HOME/token}; null when none
 * @param offline {@code HF_HUB_OFFLINE=1}: only the cache is used
 * @param cacheDir {@code --cache_dir}, else {@code HF_HUB_CACHE}, else {@code $HF_HOME/hub}
 */
public record HubSettings(URI endpoint, String token, boolean offline, Path cacheDir) {
  private static final Set<String> TRUE = Set.of("1", "ON", "YES", "TRUE");

  /** The settings {@code options} describe. */
  public static HubSettings from(SourceOptions options) {
    Path hfHome = options.getenv("HF_HOME").map(Path::of).orElseGet(() ->
        options.getenv("XDG_CACHE_HOME").map(Path::of).orElseGet(() -> options.home().resolve(".cache")).resolve("huggingface"));
    URI endpoint = URI.create(options.getenv("HF_ENDPOINT").orElse("https://huggingface.co").replaceAll("/+$", ""));
    String token = options.getenv("HF_TOKEN")
        .or(() -> readToken(options.getenv("HF_TOKEN_PATH").map(Path::of).orElse(hfHome.resolve("token"))))
        .orElse(null);
    boolean offline = options.getenv("HF_HUB_OFFLINE").map(v -> TRUE.contains(v.toUpperCase(Locale.ROOT))).orElse(false);
    Path cacheDir = options.cacheDirPath()
        .or(() -> options.getenv("HF_HUB_CACHE").map(Path::of))
        .orElse(hfHome.resolve("hub"));
    return new HubSettings(endpoint, token, offline, cacheDir);
  }

  /** The token to send as {@code Authorization: Bearer}, if any. */
  public Optional<String> bearerToken() {
    return Optional.ofNullable(token);
  }

  private static Optional<String> readToken(Path file) {
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(Files.readString(file, StandardCharsets.UTF_8).strip()).filter(t -> !t.isEmpty());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the Hugging Face token file " + file, e);
    }
  }

  /** Never prints the token. */
  @Override
  public String toString() {
    return "HubSettings[endpoint=" + endpoint + ", token=" + (token == null ? "none" : "set") + ", offline=" + offline
        + ", cacheDir=" + cacheDir + "]";
  }
}
