package io.m3spark.sources;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Collectors;

/**
 * The HTTP side of the Hub: the repository listing, a file's metadata and its bytes. Redirects are followed by hand so
 * the token only ever goes to the Hub's own endpoint, never to the CDN that LFS files are redirected to. Connecting,
 * waiting for an answer and waiting for the next bytes of a body each give up after {@link HubSettings#timeout()}; the
 * commit hash and ETags that will name cache entries are checked here, where they arrive ({@link HubNames}).
 */
public final class HubClient {
  private static final int MAX_REDIRECTS = 10;
  private static final String USER_AGENT = "m3spark/0.1 java/" + Runtime.version().feature();
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HubSettings settings;
  private final HttpClient http;

  /** A repository at one commit: the commit and every file path in it. */
  public record RepoInfo(String commit, List<String> files) {}

  public HubClient(HubSettings settings) {
    this.settings = settings;
    this.http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(settings.timeout())
        .build();
  }

  /** {@code GET {endpoint}/api/models/{repo}/revision/{revision}}: the commit the revision names and its files. */
  public RepoInfo repoInfo(HubRepoId repo) throws IOException {
    URI uri = URI.create(settings.endpoint() + "/api/models/" + repo.repoId() + "/revision/" + encode(repo.revision()));
    HttpResponse<InputStream> response = send("GET", uri, Optional.empty(), true);
    try (InputStream body = response.body()) {
      failOnError(response, repo, "the file list");
      JsonNode json = JSON.readTree(body);
      String commit = json.path("sha").asText("");
      if (commit.isEmpty()) {
        throw new HubException("the Hub's answer for " + repo + " has no commit hash ('sha')");
      }
      HubNames.checkCommit(commit, "the Hub's answer for " + repo);
      List<String> files = new ArrayList<>();
      json.path("siblings").forEach(s -> files.add(s.path("rfilename").asText()));
      return new RepoInfo(commit, files);
    }
  }

  /**
   * {@code HEAD {endpoint}/{repo}/resolve/{commit}/{path}}. An LFS file answers with a redirect to the CDN; its
   * headers already carry the metadata, so the redirect is not followed here (only same-host ones, which the Hub uses
   * for renamed repositories).
   */
  public HubFile fileMetadata(HubRepoId repo, String commit, String path) throws IOException {
    URI uri = resolveUri(repo, commit, path);
    HttpResponse<InputStream> response = send("HEAD", uri, Optional.empty(), false);
    response.body().close();
    if (response.statusCode() >= 400) {
      failOnError(response, repo, path);
    }
    boolean redirect = response.statusCode() / 100 == 3;
    URI download = redirect ? response.uri().resolve(response.headers().firstValue("Location").orElseThrow()) : response.uri();
    String etag = response.headers().firstValue("X-Linked-Etag").or(() -> response.headers().firstValue("ETag"))
        .map(HubClient::normalizeEtag)
        .orElseThrow(() -> new HubException("the Hub sent no ETag for " + path + " of " + repo + "; cannot cache it"));
    HubNames.checkEtag(etag, path + " of " + repo);
    OptionalLong linkedSize = response.headers().firstValueAsLong("X-Linked-Size");
    long size = (linkedSize.isPresent() ? linkedSize : response.headers().firstValueAsLong("Content-Length"))
        .orElseThrow(() -> new HubException("the Hub sent no size for " + path + " of " + repo));
    if (size < 0) {
      throw new HubException("the Hub sent a negative size (" + size + ") for " + path + " of " + repo);
    }
    String fileCommit = response.headers().firstValue("X-Repo-Commit").orElse(commit);
    return new HubFile(path, fileCommit, etag, size, download);
  }

  /**
   * {@code GET} of a file's bytes from {@code offset} on ({@code Range: bytes=offset-} when {@code offset > 0}),
   * following redirects. The caller closes the body; status 206 means the range was honoured, 200 the whole file.
   */
  @SuppressWarnings("try") // the resource is held for its scope, not used
  public HttpResponse<InputStream> download(HubRepoId repo, HubFile file, long offset) throws IOException {
    Optional<String> range = offset > 0 ? Optional.of("bytes=" + offset + "-") : Optional.empty();
    HttpResponse<InputStream> response = send("GET", file.downloadUri(), range, true);
    if (response.statusCode() != 200 && response.statusCode() != 206) {
      try (InputStream body = response.body()) {
        failOnError(response, repo, file.path());
        throw new HubException("unexpected HTTP " + response.statusCode() + " downloading " + file.path() + " of " + repo);
      }
    }
    return response;
  }

  private URI resolveUri(HubRepoId repo, String commit, String path) {
    String encodedPath = List.of(path.split("/")).stream().map(HubClient::encode).collect(Collectors.joining("/"));
    return URI.create(settings.endpoint() + "/" + repo.repoId() + "/resolve/" + encode(commit) + "/" + encodedPath);
  }

  private HttpResponse<InputStream> send(String method, URI start, Optional<String> range, boolean followToOtherHosts)
      throws IOException {
    URI uri = start;
    for (int hop = 0; ; hop++) {
      HttpRequest.Builder request = HttpRequest.newBuilder(uri)
          .method(method, HttpRequest.BodyPublishers.noBody())
          .header("User-Agent", USER_AGENT)
          .header("Accept-Encoding", "identity") // sizes and hashes are of the raw bytes
          .timeout(settings.timeout()); // until the headers: the body has its own idle timeout
      range.ifPresent(r -> request.header("Range", r));
      if (sameOrigin(uri, settings.endpoint())) {
        settings.bearerToken().ifPresent(t -> request.header("Authorization", "Bearer " + t));
      }
      String source = withoutQuery(uri);
      HttpResponse<InputStream> response;
      try {
        response = http.send(request.build(), IdleTimeoutBody.handler(settings.timeout(), source));
      } catch (HttpTimeoutException e) {
        throw new HttpTimeoutException("no answer from " + source + " within " + IdleTimeoutBody.seconds(settings.timeout())
            + " s (HF_HUB_DOWNLOAD_TIMEOUT)");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while talking to " + uri.getHost());
      }
      Optional<String> location = response.headers().firstValue("Location");
      if (response.statusCode() / 100 != 3 || location.isEmpty()) {
        return response;
      }
      URI next = uri.resolve(location.get());
      if (!followToOtherHosts && !sameOrigin(next, uri)) {
        return response;
      }
      if (hop == MAX_REDIRECTS) {
        throw new HubException("more than " + MAX_REDIRECTS + " redirects from " + start);
      }
      response.body().close();
      uri = next;
    }
  }

  /** Turns a Hub error status into a message that says what to do. */
  private void failOnError(HttpResponse<?> response, HubRepoId repo, String what) throws HubException {
    int status = response.statusCode();
    if (status < 400) {
      return;
    }
    String errorCode = response.headers().firstValue("X-Error-Code").orElse("");
    String hubMessage = response.headers().firstValue("X-Error-Message").map(m -> " (Hub: " + m + ")").orElse("");
    boolean hasToken = settings.bearerToken().isPresent();
    if (errorCode.equals("RepoNotFound") || (status == 404 && errorCode.isEmpty())) {
      throw new HubException(repo.repoId() + " not found on " + settings.endpoint()
          + (hasToken ? "" : " (if it is private, set HF_TOKEN)") + hubMessage);
    }
    if (errorCode.equals("RevisionNotFound")) {
      throw new HubException("revision '" + repo.revision() + "' not found in " + repo.repoId() + hubMessage);
    }
    if (errorCode.equals("EntryNotFound")) {
      throw new HubException(what + " not found in " + repo + hubMessage);
    }
    if (status == 401 || status == 403) {
      throw new HubException(repo.repoId() + " is a gated or private model (HTTP " + status + "): "
          + (hasToken ? "the token in HF_TOKEN has no access; accept its licence on the Hub with that account"
                      : "gated model, accept its licence on the Hub and set HF_TOKEN")
          + hubMessage);
    }
    throw new HubException("HTTP " + status + " from " + response.uri() + " while fetching " + what + " of " + repo + hubMessage);
  }

  /** {@code W/"abc"} and {@code "abc"} both mean {@code abc}. */
  static String normalizeEtag(String etag) {
    String e = etag.strip();
    if (e.startsWith("W/")) {
      e = e.substring(2);
    }
    return e.replace("\"", "");
  }

  /** The URI as messages show it: no user info, no query (CDN URLs carry signatures there). */
  private static String withoutQuery(URI u) {
    return u.getScheme() + "://" + u.getHost() + (u.getPort() == -1 ? "" : ":" + u.getPort()) + u.getRawPath();
  }

  private static boolean sameOrigin(URI a, URI b) {
    return a.getScheme().equalsIgnoreCase(b.getScheme())
        && a.getHost() != null && a.getHost().toLowerCase(Locale.ROOT).equals(b.getHost().toLowerCase(Locale.ROOT))
        && effectivePort(a) == effectivePort(b);
  }

  private static int effectivePort(URI u) {
    return u.getPort() != -1 ? u.getPort() : u.getScheme().equalsIgnoreCase("https") ? 443 : 80;
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
