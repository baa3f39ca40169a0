package io.m3spark.sources;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 * @param timeout {@code HF_HUB_DOWNLOAD_TIMEOUT} seconds, default {@value #DEFAULT_TIMEOUT_SECONDS}: how long to wait
 *     for a connection, for an answer and, within a download, for the next bytes (huggingface_hub's 10 s default is
 *     short for a busy cluster sharing one link; a download as a whole has no time limit)
 */
public record HubSettings(URI endpoint, String token, boolean offline, Path cacheDir, Duration timeout) {
  static final int DEFAULT_TIMEOUT_SECONDS = 60;
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
    Duration timeout = options.getenv("HF_HUB_DOWNLOAD_TIMEOUT").map(HubSettings::parseTimeout)
        .orElse(Duration.ofSeconds(DEFAULT_TIMEOUT_SECONDS));
    return new HubSettings(endpoint, token, offline, cacheDir, timeout);
  }

  /** The token to send as {@code Authorization: Bearer}, if any. */
  public Optional<String> bearerToken() {
    return Optional.ofNullable(token);
  }

  /** Seconds, fractions allowed as in huggingface_hub. */
  private static Duration parseTimeout(String seconds) {
    double s;
    try {
      s = Double.parseDouble(seconds.strip());
    } catch (NumberFormatException e) {
      s = Double.NaN;
    }
    if (!(s >= 0.001 && s <= 86_400)) {
      throw new IllegalArgumentException("HF_HUB_DOWNLOAD_TIMEOUT=" + HubNames.shown(seconds)
          + ": expected a number of seconds from 0.001 to 86400");
    }
    return Duration.ofMillis(Math.round(s * 1000));
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
        + ", cacheDir=" + cacheDir + ", timeout=" + timeout + "]";
  }
}
