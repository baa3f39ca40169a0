package io.m3spark.sources;

import static io.m3spark.sources.FakeHub.COMMIT;
import static io.m3spark.sources.FakeHub.GATED;
import static io.m3spark.sources.FakeHub.MODEL;
import static io.m3spark.sources.FakeHub.SHARDED;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HubModelSourceTest {
  /** What a BGE-M3 folder needs, and all the fake repository has of it (not its ONNX export or README). */
  private static final Set<String> MODEL_FILES = Set.of("config.json", "model.safetensors", "colbert_linear.pt",
      "sparse_linear.pt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "sentencepiece.bpe.model");

  @TempDir Path tmp;
  private FakeHub hub;
  private Path cache;

  @BeforeEach
  void start() throws IOException {
    hub = new FakeHub();
    cache = tmp.resolve("hub-cache");
  }

  @AfterEach
  void stop() {
    hub.close();
  }

  private SourceOptions options(String... extraEnv) {
    Map<String, String> env = new HashMap<>(Map.of("HF_ENDPOINT", hub.endpoint(), "HF_HUB_CACHE", cache.toString(),
        "HOME", tmp.resolve("home").toString()));
    for (int i = 0; i < extraEnv.length; i += 2) {
      env.put(extraEnv[i], extraEnv[i + 1]);
    }
    return new SourceOptions(null, env, Map.of());
  }

  private long lfsModelFiles() {
    return MODEL_FILES.stream().filter(f -> hub.file(MODEL, f).lfs()).count();
  }

  private static Path resolve(String id, SourceOptions options) throws IOException {
    return new HubModelSource().resolve(id, options).orElseThrow();
  }

  @Test
  void downloadsTheModelFilesIntoHuggingfaceHubsLayout() throws IOException {
    Path folder = resolve(MODEL, options());

    Path repoDir = cache.resolve("models--test-org--tiny-m3");
    assertEquals(repoDir.resolve("snapshots").resolve(COMMIT), folder);
    assertEquals(COMMIT, Files.readString(repoDir.resolve("refs/main")), "refs/main holds the bare commit hash");
    try (Stream<Path> listed = Files.list(folder)) {
      assertEquals(MODEL_FILES, listed.map(p -> p.getFileName().toString()).collect(Collectors.toSet()));
    }
    for (String name : MODEL_FILES) {
      FakeHub.FakeFile expected = hub.file(MODEL, name);
      Path entry = folder.resolve(name);
      assertTrue(Files.isSymbolicLink(entry), name + " is a symlink");
      assertEquals(Path.of("../../blobs/" + expected.etag()), Files.readSymbolicLink(entry), name);
      assertArrayEquals(expected.content(), Files.readAllBytes(entry), name);
    }
    try (Stream<Path> blobs = Files.list(repoDir.resolve("blobs"))) {
      assertEquals(MODEL_FILES.stream().map(f -> hub.file(MODEL, f).etag()).collect(Collectors.toSet()),
          blobs.map(p -> p.getFileName().toString()).collect(Collectors.toSet()), "blobs/ holds exactly the blobs, by ETag");
    }
    assertTrue(hub.cdnRequests().stream().allMatch(r -> r.path().startsWith("/cdn/")), "LFS files came through the redirect");
    assertEquals(lfsModelFiles(), hub.cdnRequests().size(), "the model's LFS files, not the ONNX export");
  }

  @Test
  void aCachedModelCostsOneListingCallAndNoneOnceTheJvmHasResolvedIt() throws IOException {
    Path first = resolve(MODEL, options());
    int afterFirst = hub.requests().size();

    assertEquals(first, resolve(MODEL, options()));
    List<FakeHub.Request> second = hub.requests().subList(afterFirst, hub.requests().size());
    assertEquals(1, second.size(), "only the listing: " + second);
    assertTrue(second.get(0).path().startsWith("/api/models/"));

    ModelSourceChain chain = new ModelSourceChain(List.of(new HubModelSource()));
    chain.resolve(MODEL, options());
    int beforeThird = hub.requests().size();
    assertEquals(first, chain.resolve(MODEL, options()));
    assertEquals(beforeThird, hub.requests().size(), "a chain answers a repeated resolve from memory");
  }

  @Test
  void reusesACacheFilledByPythonsHuggingfaceHub() throws IOException {
    // the layout huggingface_hub leaves, built by hand: refs/main, blobs by ETag, relative snapshot symlinks
    Path repoDir = cache.resolve("models--test-org--tiny-m3");
    Files.createDirectories(repoDir.resolve("refs"));
    Files.writeString(repoDir.resolve("refs/main"), COMMIT);
    Files.createDirectories(repoDir.resolve("blobs"));
    Files.createDirectories(repoDir.resolve("snapshots/" + COMMIT));
    for (String name : MODEL_FILES) {
      FakeHub.FakeFile f = hub.file(MODEL, name);
      Files.write(repoDir.resolve("blobs/" + f.etag()), f.content());
      Files.createSymbolicLink(repoDir.resolve("snapshots/" + COMMIT + "/" + name), Path.of("../../blobs/" + f.etag()));
    }

    Path folder = resolve(MODEL, options());

    assertEquals(repoDir.resolve("snapshots/" + COMMIT), folder);
    assertEquals(1, hub.requests().size(), "the listing only, nothing downloaded: " + hub.requests());
  }

  @Test
  void aDroppedDownloadIsResumedWithARangeRequestOnTheNextTry() throws IOException {
    hub.cutNextDownloadAfter.set(600_000);
    FakeHub.FakeFile weights = hub.file(MODEL, "model.safetensors");
    Path partial = cache.resolve("models--test-org--tiny-m3/blobs/" + weights.etag() + ".incomplete");

    IOException failure = assertThrows(IOException.class, () -> new HubModelSource(1).resolve(MODEL, options()));
    assertTrue(failure.getMessage().contains("run again to resume"), failure.getMessage());
    long kept = Files.size(partial);
    assertTrue(kept > 0 && kept <= 600_000, "the bytes that arrived are kept: " + kept);

    Path folder = new HubModelSource(1).resolve(MODEL, options()).orElseThrow();

    assertEquals("bytes=" + kept + "-", hub.cdnRequests().stream()
        .filter(r -> r.path().endsWith(weights.etag())).reduce((a, b) -> b).orElseThrow().range());
    assertEquals(FakeHub.sha("SHA-256", weights.content()), FakeHub.sha("SHA-256", Files.readAllBytes(folder.resolve("model.safetensors"))));
    assertFalse(Files.exists(partial));
  }

  @Test
  void oneResolveRetriesADroppedDownloadFromWhereItStopped() throws IOException {
    hub.cutNextDownloadAfter.set(300_000);

    Path folder = resolve(MODEL, options());

    FakeHub.FakeFile weights = hub.file(MODEL, "model.safetensors");
    List<FakeHub.Request> gets = hub.cdnRequests().stream().filter(r -> r.path().endsWith(weights.etag())).toList();
    assertEquals(2, gets.size());
    assertNull(gets.get(0).range());
    assertTrue(gets.get(1).range().startsWith("bytes="), "the retry resumes: " + gets.get(1));
    assertArrayEquals(weights.content(), Files.readAllBytes(folder.resolve("model.safetensors")));
  }

  @Test
  void aCorruptedDownloadIsRejectedAndDeleted() {
    hub.corruptDownloads.set(true);
    FakeHub.FakeFile weights = hub.file(MODEL, "model.safetensors");

    HubException e = assertThrows(HubException.class, () -> resolve(MODEL, options()));

    assertTrue(e.getMessage().contains("does not match"), e.getMessage());
    Path blobs = cache.resolve("models--test-org--tiny-m3/blobs");
    assertFalse(Files.exists(blobs.resolve(weights.etag())));
    assertFalse(Files.exists(blobs.resolve(weights.etag() + ".incomplete")));
    assertFalse(Files.exists(cache.resolve("models--test-org--tiny-m3/refs/main")), "no ref to a broken snapshot");
  }

  @Test
  void aGatedModelNeedsTheTokenWhichNeverGoesToTheCdn() throws IOException {
    HubException e = assertThrows(HubException.class, () -> resolve(GATED, options()));
    assertTrue(e.getMessage().contains("gated model, accept its licence on the Hub and set HF_TOKEN"), e.getMessage());

    Path folder = resolve(GATED, options("HF_TOKEN", FakeHub.TOKEN));

    assertArrayEquals(hub.file(GATED, "model.safetensors").content(), Files.readAllBytes(folder.resolve("model.safetensors")));
    List<FakeHub.Request> withToken = hub.requests().stream().filter(r -> r.authorization() != null).toList();
    assertFalse(withToken.isEmpty());
    assertTrue(withToken.stream().allMatch(r -> r.host().equals("hub") && r.authorization().equals("Bearer " + FakeHub.TOKEN)));
    assertFalse(hub.cdnRequests().isEmpty());
    assertTrue(hub.cdnRequests().stream().allMatch(r -> r.authorization() == null), "no token to the CDN host");
  }

  @Test
  void anUnknownRepositoryIsReportedAsNotFound() {
    HubException e = assertThrows(HubException.class, () -> resolve("test-org/no-such-model", options()));
    assertTrue(e.getMessage().contains("test-org/no-such-model not found on " + hub.endpoint()), e.getMessage());
    HubException revision = assertThrows(HubException.class, () -> resolve(MODEL + "@v9", options()));
    assertTrue(revision.getMessage().contains("revision 'v9' not found"), revision.getMessage());
  }

  @Test
  void offlineModeUsesOnlyTheCache() throws IOException {
    HubException miss = assertThrows(HubException.class, () -> resolve(MODEL, options("HF_HUB_OFFLINE", "1")));
    assertTrue(miss.getMessage().contains("not in the Hugging Face cache"), miss.getMessage());
    assertEquals(0, hub.requests().size());

    Path online = resolve(MODEL, options());
    int before = hub.requests().size();
    assertEquals(online, resolve(MODEL, options("HF_HUB_OFFLINE", "1")));
    assertEquals(online, resolve(MODEL + "@" + COMMIT, options("HF_HUB_OFFLINE", "true")));
    assertEquals(before, hub.requests().size(), "offline: no HTTP at all");
  }

  @Test
  void anUnreachableHubFallsBackToTheCache() throws IOException {
    Path online = resolve(MODEL, options());
    hub.close();
    assertEquals(online, resolve(MODEL, options()));
    IOException e = assertThrows(IOException.class, () -> resolve(SHARDED, options()));
    assertTrue(e.getMessage().contains("cannot reach the Hub"), e.getMessage());
  }

  @Test
  void shardedWeightsBringTheirShards() throws IOException {
    Path folder = resolve(SHARDED, options());
    try (Stream<Path> listed = Files.list(folder)) {
      assertEquals(Set.of("config.json", "model.safetensors.index.json", "model-00001-of-00002.safetensors",
          "model-00002-of-00002.safetensors"), listed.map(p -> p.getFileName().toString()).collect(Collectors.toSet()));
    }
  }

  @Test
  void concurrentResolvesDownloadEachBlobOnce() throws Exception {
    int threads = 4;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Path>> results = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        results.add(pool.submit(() -> {
          start.await();
          return new HubModelSource().resolve(MODEL, options()).orElseThrow();
        }));
      }
      start.countDown();
      Path first = results.get(0).get();
      for (Future<Path> r : results) {
        assertEquals(first, r.get());
      }
      for (String name : MODEL_FILES) {
        assertArrayEquals(hub.file(MODEL, name).content(), Files.readAllBytes(first.resolve(name)), name);
      }
      assertEquals(lfsModelFiles(), hub.cdnRequests().size(), "each LFS blob downloaded once: " + hub.cdnRequests());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void twoProcessesShareOneCache() throws Exception {
    hub.cdnDelayMillis.set(300); // keeps the first process inside its downloads while the second arrives
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<Process> processes = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      processes.add(new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"),
          ResolveInChildProcess.class.getName(), hub.endpoint(), cache.toString(), MODEL)
          .redirectError(ProcessBuilder.Redirect.DISCARD).start());
    }
    List<String> folders = new ArrayList<>();
    for (Process p : processes) {
      folders.add(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip());
      assertEquals(0, p.waitFor(), "child exit status");
    }

    Path expected = cache.resolve("models--test-org--tiny-m3/snapshots/" + COMMIT);
    assertEquals(List.of(expected.toString(), expected.toString()), folders);
    for (String name : MODEL_FILES) {
      assertArrayEquals(hub.file(MODEL, name).content(), Files.readAllBytes(expected.resolve(name)), name);
    }
    assertEquals(lfsModelFiles(), hub.cdnRequests().size(), "each LFS blob downloaded by one process only");
  }
}
