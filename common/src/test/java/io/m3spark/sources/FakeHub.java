package io.m3spark.sources;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * A Hub on loopback for tests: the listing API and {@code resolve} URLs on 127.0.0.1, LFS files redirected (302) to a
 * "CDN" on 127.0.0.2, with the headers the real Hub sends. Every request is recorded; faults can be switched on.
 */
final class FakeHub implements AutoCloseable {
  static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
  static final String MODEL = "test-org/tiny-m3";
  static final String SHARDED = "test-org/tiny-sharded";
  static final String GATED = "test-org/gated";
  static final String TOKEN = "hf_test_secret";
  static final int MODEL_BYTES = 1_500_000;

  record FakeFile(byte[] content, boolean lfs) {
    String etag() {
      return lfs ? sha("SHA-256", content) : gitBlobSha1(content);
    }
  }

  record Request(String host, String method, String path, String authorization, String range) {}

  final Map<String, Map<String, FakeFile>> repos = new LinkedHashMap<>();
  final List<Request> requests = new ArrayList<>();
  /** When positive, the next CDN download sends only this many bytes and drops the connection. */
  final AtomicLong cutNextDownloadAfter = new AtomicLong(-1);
  final AtomicBoolean corruptDownloads = new AtomicBoolean();
  /** Milliseconds each CDN download waits before answering, to make concurrent resolves overlap. */
  final AtomicLong cdnDelayMillis = new AtomicLong();
  /** The commit hash the listing names: a hostile mirror sends something else. */
  final AtomicReference<String> listedCommit = new AtomicReference<>(COMMIT);
  /** ETags the Hub sends for these paths instead of the real ones. */
  final Map<String, String> etagOverrides = new ConcurrentHashMap<>();
  /** When positive, the next CDN download sends this many bytes beyond the file (no byte array that big is made). */
  final AtomicLong oversizeNextDownloadBy = new AtomicLong(-1);
  /** Whether that oversized answer says its real length in Content-Length; else it is sent chunked. */
  final AtomicBoolean oversizeAnnounced = new AtomicBoolean();
  /** Bytes of the oversized answer the CDN got written before the client stopped taking them. */
  final AtomicLong oversizeBytesSent = new AtomicLong();
  /** Milliseconds the CDN waits between 64 KiB pieces of a download: slow, but never idle for long. */
  final AtomicLong cdnPieceDelayMillis = new AtomicLong();
  /** When positive, the next CDN download sends this many bytes, then nothing until the hub is closed. */
  final AtomicLong stallNextDownloadAfter = new AtomicLong(-1);

  private final HttpServer hub;
  private final HttpServer cdn;
  /** A thread per exchange, so a stalled answer does not hold up the next request. */
  private final ExecutorService handlers = Executors.newCachedThreadPool();

  FakeHub() throws IOException {
    Map<String, FakeFile> model = new LinkedHashMap<>();
    model.put("config.json", text("{\"model_type\": \"xlm-roberta\", \"hidden_size\": 32, \"num_hidden_layers\": 2}"));
    model.put("model.safetensors", new FakeFile(random(MODEL_BYTES, 1), true));
    model.put("colbert_linear.pt", new FakeFile(random(4096, 2), true));
    model.put("sparse_linear.pt", new FakeFile(random(512, 3), true));
    model.put("tokenizer.json", text("{\"version\": \"1.0\", \"model\": {\"type\": \"Unigram\"}}".repeat(40)));
    model.put("tokenizer_config.json", text("{\"model_max_length\": 8192}"));
    model.put("special_tokens_map.json", text("{\"cls_token\": \"<s>\"}"));
    model.put("sentencepiece.bpe.model", new FakeFile(random(8000, 4), true));
    model.put("onnx/model.onnx", new FakeFile(random(20_000, 5), true)); // a repo holds more than the model needs
    model.put("README.md", text("# tiny"));
    repos.put(MODEL, model);
    Map<String, FakeFile> sharded = new LinkedHashMap<>();
    sharded.put("config.json", text("{\"model_type\": \"bert\"}"));
    sharded.put("model.safetensors.index.json", text("{\"metadata\": {}, \"weight_map\": {\"a\": \"model-00001-of-00002.safetensors\","
        + " \"b\": \"model-00002-of-00002.safetensors\", \"c\": \"model-00001-of-00002.safetensors\"}}"));
    sharded.put("model-00001-of-00002.safetensors", new FakeFile(random(3000, 6), true));
    sharded.put("model-00002-of-00002.safetensors", new FakeFile(random(3000, 7), true));
    sharded.put("pytorch_model.bin", new FakeFile(random(3000, 8), true)); // not wanted: safetensors exist
    repos.put(SHARDED, sharded);
    repos.put(GATED, Map.of("config.json", text("{}"), "model.safetensors", new FakeFile(random(2000, 9), true)));

    hub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    hub.createContext("/", this::serveHub);
    hub.setExecutor(handlers);
    hub.start();
    cdn = HttpServer.create(new InetSocketAddress("127.0.0.2", 0), 0);
    cdn.createContext("/", this::serveCdn);
    cdn.setExecutor(handlers);
    cdn.start();
  }

  String endpoint() {
    return "http://127.0.0.1:" + hub.getAddress().getPort();
  }

  FakeFile file(String repo, String path) {
    return repos.get(repo).get(path);
  }

  synchronized List<Request> requests() {
    return List.copyOf(requests);
  }

  synchronized List<Request> cdnRequests() {
    return requests.stream().filter(r -> r.host().equals("cdn")).collect(Collectors.toList());
  }

  private synchronized void record(String host, HttpExchange ex) {
    requests.add(new Request(host, ex.getRequestMethod(), ex.getRequestURI().getPath(),
        ex.getRequestHeaders().getFirst("Authorization"), ex.getRequestHeaders().getFirst("Range")));
  }

  private void serveHub(HttpExchange ex) throws IOException {
    record("hub", ex);
    try (ex) {
      // split before decoding: a revision is one segment even when it holds '/' (%2F)
      String path = ex.getRequestURI().getRawPath();
      boolean api = path.startsWith("/api/models/");
      String[] parts = Arrays.stream((api ? path.substring("/api/models/".length()) : path.substring(1)).split("/", 5))
          .map(p -> URLDecoder.decode(p, StandardCharsets.UTF_8)).toArray(String[]::new);
      String repoId = parts[0] + "/" + parts[1];
      Map<String, FakeFile> repo = repos.get(repoId);
      if (repo == null) {
        error(ex, 404, "RepoNotFound");
        return;
      }
      if (repoId.equals(GATED) && !("Bearer " + TOKEN).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
        error(ex, 401, "GatedRepo");
        return;
      }
      String revision = parts[3];
      if (!revision.equals("main") && !revision.equals(COMMIT) && !revision.equals(listedCommit.get())) {
        error(ex, 404, "RevisionNotFound");
        return;
      }
      if (api) {
        String siblings = repo.keySet().stream().map(f -> "{\"rfilename\": \"" + f + "\"}").collect(Collectors.joining(", "));
        send(ex, 200, ("{\"id\": \"" + repoId + "\", \"sha\": \"" + listedCommit.get() + "\", \"siblings\": [" + siblings + "]}")
            .getBytes(StandardCharsets.UTF_8));
        return;
      }
      FakeFile file = repo.get(parts[4]);
      if (file == null) {
        error(ex, 404, "EntryNotFound");
        return;
      }
      ex.getResponseHeaders().set("X-Repo-Commit", listedCommit.get());
      String etag = etagOverrides.getOrDefault(parts[4], file.etag());
      if (file.lfs()) {
        ex.getResponseHeaders().set("X-Linked-Etag", "\"" + etag + "\"");
        ex.getResponseHeaders().set("X-Linked-Size", Long.toString(file.content().length));
        ex.getResponseHeaders().set("ETag", "W/\"redirect-etag\"");
        ex.getResponseHeaders().set("Location", "http://127.0.0.2:" + cdn.getAddress().getPort() + "/cdn/" + file.etag());
        ex.sendResponseHeaders(302, -1);
        return;
      }
      ex.getResponseHeaders().set("ETag", "\"" + etag + "\"");
      send(ex, 200, file.content());
    }
  }

  private void serveCdn(HttpExchange ex) throws IOException {
    record("cdn", ex);
    pause(cdnDelayMillis.get());
    String etag = ex.getRequestURI().getPath().substring("/cdn/".length());
    byte[] content = repos.values().stream().flatMap(r -> r.values().stream()).filter(f -> f.etag().equals(etag))
        .findFirst().orElseThrow().content();
    if (corruptDownloads.get()) {
      content = content.clone();
      content[content.length / 2] ^= 1;
    }
    String range = ex.getRequestHeaders().getFirst("Range");
    int from = range == null ? 0 : Integer.parseInt(range.substring("bytes=".length(), range.length() - 1));
    if (range != null) {
      ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (content.length - 1) + "/" + content.length);
    }
    byte[] body = Arrays.copyOfRange(content, from, content.length);
    long cut = cutNextDownloadAfter.getAndSet(-1);
    long extra = oversizeNextDownloadBy.getAndSet(-1);
    if (extra > 0) {
      sendOversized(ex, range == null ? 200 : 206, body, extra);
      return;
    }
    long stall = stallNextDownloadAfter.getAndSet(-1);
    ex.sendResponseHeaders(range == null ? 200 : 206, body.length);
    OutputStream out = ex.getResponseBody();
    if (stall > 0) {
      out.write(body, 0, (int) stall);
      out.flush();
      try {
        Thread.sleep(Long.MAX_VALUE); // ended by close()
      } catch (InterruptedException e) {
        throw new IOException("stalled answer ended by close()");
      }
    }
    if (cut > 0) {
      out.write(body, 0, (int) cut);
      out.flush();
      // an exception out of a handler makes HttpServer close the socket: the client sees the body end early
      throw new IOException("connection dropped on purpose after " + cut + " bytes");
    }
    for (int piece = 0; piece < body.length; piece += 1 << 16) {
      out.write(body, piece, Math.min(1 << 16, body.length - piece));
      out.flush();
      pause(cdnPieceDelayMillis.get());
    }
    ex.close();
  }

  /** {@code body}, then {@code extra} zero bytes, streamed: the client is expected to hang up long before the end. */
  private void sendOversized(HttpExchange ex, int status, byte[] body, long extra) throws IOException {
    ex.sendResponseHeaders(status, oversizeAnnounced.get() ? body.length + extra : 0);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
      oversizeBytesSent.addAndGet(body.length);
      byte[] zeros = new byte[1 << 16];
      for (long left = extra; left > 0; left -= zeros.length) {
        int n = (int) Math.min(zeros.length, left);
        out.write(zeros, 0, n);
        oversizeBytesSent.addAndGet(n);
      }
    }
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
    ex.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
    if (ex.getRequestMethod().equals("HEAD")) {
      ex.sendResponseHeaders(status, -1);
    } else {
      ex.sendResponseHeaders(status, body.length);
      ex.getResponseBody().write(body);
    }
  }

  private static void error(HttpExchange ex, int status, String code) throws IOException {
    ex.getResponseHeaders().set("X-Error-Code", code);
    ex.getResponseHeaders().set("X-Error-Message", code + " (fake hub)");
    ex.sendResponseHeaders(status, -1);
  }

  @Override
  public void close() {
    hub.stop(0);
    cdn.stop(0);
    handlers.shutdownNow();
  }

  static FakeFile text(String s) {
    return new FakeFile(s.getBytes(StandardCharsets.UTF_8), false);
  }

  static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  static String sha(String algorithm, byte[]... parts) {
    try {
      MessageDigest d = MessageDigest.getInstance(algorithm);
      for (byte[] p : parts) {
        d.update(p);
      }
      return HexFormat.of().formatHex(d.digest());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** What git names a file: SHA-1 of "blob {size}\0" and the bytes (computed independently of the code under test). */
  static String gitBlobSha1(byte[] content) {
    return sha("SHA-1", ("blob " + content.length + "\0").getBytes(StandardCharsets.US_ASCII), content);
  }
}
