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
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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

  /** Every file under the temporary folder that is not in the repository's cache folder or its lock folder. */
  private List<Path> filesOutsideTheRepository() throws IOException {
    Path repoDir = cache.resolve("models--test-org--tiny-m3");
    Path lockDir = cache.resolve(".locks/models--test-org--tiny-m3");
    try (Stream<Path> all = Files.walk(tmp)) {
      return all.filter(p -> !Files.isDirectory(p) && !p.startsWith(repoDir) && !p.startsWith(lockDir)).toList();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"../../x", "0123456789ABCDEF0123456789ABCDEF01234567", "0123456789abcdef0123456789abcdef0123456/"})
  void aCommitHashThatIsNotOneIsRefused(String sha) throws IOException {
    hub.listedCommit.set(sha);

    HubException e = assertThrows(HubException.class, () -> resolve(MODEL, options()));

    assertEquals("the Hub's answer for test-org/tiny-m3@main: the commit hash '" + sha + "' is not 40 lowercase hex"
        + " digits; refusing to use it as a cache folder name", e.getMessage());
    assertEquals(List.of(), filesOutsideTheRepository());
    assertTrue(hub.requests().stream().noneMatch(r -> r.method().equals("HEAD")), "refused before any file is asked for");
  }

  @ParameterizedTest
  @ValueSource(strings = {"config.json", "model.safetensors"}) // a git file's ETag, an LFS file's X-Linked-Etag
  void anEtagThatIsAPathIsRefusedAndNothingIsWrittenOutsideTheCache(String file) throws IOException {
    hub.etagOverrides.put(file, "../../.bash_profile");

    HubException e = assertThrows(HubException.class, () -> resolve(MODEL, options()));

    assertEquals(file + " of test-org/tiny-m3@main: the ETag '../../.bash_profile' is not a safe cache file name"
        + " (1 to 128 letters, digits, '-' or '_')", e.getMessage());
    assertEquals(List.of(), filesOutsideTheRepository());
    try (Stream<Path> all = Files.walk(tmp)) {
      assertTrue(all.noneMatch(p -> p.getFileName().toString().contains("bash_profile")));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"model.safetensors.index.json", "config.json", "pytorch_model.bin", "../../../outside.safetensors",
      "/tmp/absolute.safetensors", "sub/./x.safetensors"})
  void aShardIndexNamingAnythingButItsOwnWeightFilesIsRefused(String shard) {
    String selfIndexed = "test-org/self-indexed";
    hub.repos.put(selfIndexed, Map.of("config.json", FakeHub.text("{}"), "model.safetensors.index.json",
        FakeHub.text("{\"weight_map\": {\"a\": \"" + shard + "\"}}")));

    // a loop would never end: fail after a while instead
    HubException e = assertThrows(HubException.class,
        () -> assertTimeoutPreemptively(Duration.ofSeconds(30), () -> resolve(selfIndexed, options())));

    assertTrue(e.getMessage().startsWith("model.safetensors.index.json of test-org/self-indexed@main: weight_map"),
        e.getMessage());
    assertTrue(e.getMessage().contains("'" + shard + "'"), e.getMessage());
  }

  @ParameterizedTest(name = "announced in Content-Length: {0}")
  @ValueSource(booleans = {false, true})
  void aServerSendingMoreThanAnnouncedIsStoppedAtTheAnnouncedSize(boolean announced) throws IOException {
    hub.oversizeAnnounced.set(announced);
    hub.oversizeNextDownloadBy.set(200L << 20);
    FakeHub.FakeFile weights = hub.file(MODEL, "model.safetensors");

    HubException e = assertThrows(HubException.class,
        () -> assertTimeoutPreemptively(Duration.ofSeconds(60), () -> resolve(MODEL, options())));

    assertTrue(e.getMessage().startsWith("model.safetensors of test-org/tiny-m3@main: the server "), e.getMessage());
    assertTrue(e.getMessage().contains(announced ? "announces " + (weights.content().length + (200L << 20)) + " bytes"
        : "sent more than the " + weights.content().length + " bytes the Hub announced"), e.getMessage());
    // what the socket buffers took before the client hung up, far from the 200 MB on offer
    assertTrue(hub.oversizeBytesSent.get() < (32 << 20), hub.oversizeBytesSent.get() + " bytes sent");
    Path blobs = cache.resolve("models--test-org--tiny-m3/blobs");
    assertFalse(Files.exists(blobs.resolve(weights.etag())));
    assertFalse(Files.exists(blobs.resolve(weights.etag() + ".incomplete")), "a server that contradicts itself is not resumed");
    try (Stream<Path> all = Files.walk(cache)) {
      long largest = all.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).max().orElse(0);
      assertTrue(largest <= weights.content().length, "largest file in the cache: " + largest);
    }

    assertArrayEquals(weights.content(), Files.readAllBytes(resolve(MODEL, options()).resolve("model.safetensors")),
        "the next try downloads it whole");
  }

  @Test
  void aStalledDownloadFailsAfterTheTimeoutReleasesItsLockAndIsResumed() throws Exception {
    hub.stallNextDownloadAfter.set(100_000);
    FakeHub.FakeFile weights = hub.file(MODEL, "model.safetensors");
    SourceOptions oneSecond = options("HF_HUB_DOWNLOAD_TIMEOUT", "1");

    long start = System.nanoTime();
    IOException e = assertThrows(IOException.class,
        () -> assertTimeoutPreemptively(Duration.ofSeconds(30), () -> new HubModelSource(1).resolve(MODEL, oneSecond)));
    double seconds = (System.nanoTime() - start) / 1e9;

    assertTrue(e.getMessage().contains("no data from http://127.0.0.2:") && e.getMessage().contains(
        "/cdn/" + weights.etag() + " for 1 s (HF_HUB_DOWNLOAD_TIMEOUT)"), e.getMessage());
    assertTrue(e.getMessage().contains("run again to resume"), e.getMessage());
    assertTrue(seconds < 10, "failed after " + seconds + " s");
    // another thread: this one would re-enter its own lock even if it had not been released
    ExecutorService other = Executors.newSingleThreadExecutor();
    try {
      Path folder = other.submit(() -> new HubModelSource(1).resolve(MODEL, oneSecond).orElseThrow()).get(30, TimeUnit.SECONDS);
      assertArrayEquals(weights.content(), Files.readAllBytes(folder.resolve("model.safetensors")));
    } finally {
      other.shutdownNow();
    }
    assertEquals("bytes=100000-", hub.cdnRequests().stream().filter(r -> r.path().endsWith(weights.etag()))
        .reduce((a, b) -> b).orElseThrow().range(), "the bytes before the stall were kept");
  }

  @Test
  void aSlowButSteadyDownloadMayTakeLongerThanTheTimeout() throws IOException {
    hub.cdnPieceDelayMillis.set(100); // 1.5 MB in 23 pieces: over 2 s in all, never 1 s without data

    Path folder = resolve(MODEL, options("HF_HUB_DOWNLOAD_TIMEOUT", "1"));

    assertArrayEquals(hub.file(MODEL, "model.safetensors").content(), Files.readAllBytes(folder.resolve("model.safetensors")));
    assertEquals(lfsModelFiles(), hub.cdnRequests().size(), "each file in one piece, none retried");
  }

  @Test
  void aServerThatNeverAnswersFailsAfterTheTimeout() {
    hub.cdnDelayMillis.set(20_000);

    IOException e = assertThrows(IOException.class, () -> assertTimeoutPreemptively(Duration.ofSeconds(15),
        () -> new HubModelSource(1).resolve(MODEL, options("HF_HUB_DOWNLOAD_TIMEOUT", "0.5"))));

    assertTrue(e.getMessage().contains("no answer from http://127.0.0.2:") && e.getMessage().contains(
        " within 0.5 s (HF_HUB_DOWNLOAD_TIMEOUT)"), e.getMessage());
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
