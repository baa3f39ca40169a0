package io.m3spark.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m3spark.weights.SafetensorsFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built-in model name resolves offline, imports once, and survives concurrent first uses. */
class BuiltinModelsTest {

  @Test
  void firstUseImportsAndLaterUsesReuse(@TempDir Path cache) throws Exception {
    BuiltinModels.ResolvedModel first = BuiltinModels.resolve("bge-small-en-v1.5", cache).orElseThrow();
    assertEquals(cache.resolve("bge-small-en-v1.5"), first.folder());
    assertTrue(first.requiresNewHeads());
    assertEquals("bge-small-en-v1.5", first.builtinName());
    assertTrue(first.loadOptions(LoadOptions.defaults()).initNewHeads());
    Path weights = first.folder().resolve("model.safetensors");
    FileTime written = Files.getLastModifiedTime(weights);
    Object fileKey = Files.readAttributes(weights, java.nio.file.attribute.BasicFileAttributes.class).fileKey();

    BuiltinModels.ResolvedModel second = BuiltinModels.resolve("bge-small-en-v1.5", cache).orElseThrow();
    assertEquals(first, second);
    assertEquals(written, Files.getLastModifiedTime(weights));
    assertEquals(fileKey, Files.readAttributes(weights, java.nio.file.attribute.BasicFileAttributes.class).fileKey(),
        "the second use must not re-import");
  }

  @Test
  void concurrentFirstUsesYieldOneValidFolder(@TempDir Path cache) throws Exception {
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<BuiltinModels.ResolvedModel>> results = List.of(
          pool.submit(() -> {
            start.await();
            return BuiltinModels.resolve("bge-small-en-v1.5", cache).orElseThrow();
          }),
          pool.submit(() -> {
            start.await();
            return BuiltinModels.resolve("bge-small-en-v1.5", cache).orElseThrow();
          }));
      start.countDown();
      assertEquals(results.get(0).get(), results.get(1).get());
    } finally {
      pool.shutdownNow();
    }
    Path folder = cache.resolve("bge-small-en-v1.5");
    assertEquals(197, SafetensorsFile.open(folder.resolve("model.safetensors")).names().size());
    try (Stream<Path> s = Files.list(cache)) {
      Set<String> left = s.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
      assertEquals(Set.of("bge-small-en-v1.5", "bge-small-en-v1.5.lock"), left, "no staging folders left behind");
    }
    try (Stream<Path> s = Files.list(folder)) {
      assertEquals(Set.of("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
          "special_tokens_map.json"), s.map(p -> p.getFileName().toString()).collect(Collectors.toSet()));
    }
  }

  @Test
  void theModelSourceChainResolvesTheBuiltinName(@TempDir Path cache) throws Exception {
    io.m3spark.sources.SourceOptions options = new io.m3spark.sources.SourceOptions(null,
        java.util.Map.of("M3SPARK_MODEL_CACHE", cache.toString()), java.util.Map.of());
    Path folder = new io.m3spark.sources.ModelSourceChain(io.m3spark.sources.ModelSources.defaultSources())
        .resolve("bge-small-en-v1.5", options);
    assertEquals(cache.resolve("bge-small-en-v1.5"), folder);
    assertTrue(BuiltinModels.requiresNewHeads("bge-small-en-v1.5"));
    assertFalse(BuiltinModels.requiresNewHeads(cache.toString()));
  }

  @Test
  void anExistingPathIsItselfAndAnUnknownNameIsEmpty(@TempDir Path dir) throws Exception {
    Optional<BuiltinModels.ResolvedModel> path = BuiltinModels.resolve(dir.toString(), dir.resolve("cache"));
    assertEquals(dir, path.orElseThrow().folder());
    assertFalse(path.get().requiresNewHeads());
    assertTrue(BuiltinModels.resolve("no-such-model-anywhere", dir.resolve("cache")).isEmpty());
    assertFalse(Files.exists(dir.resolve("cache")), "resolving a path or an unknown name imports nothing");
  }
}
