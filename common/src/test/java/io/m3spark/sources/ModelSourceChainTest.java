package io.m3spark.sources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelSourceChainTest {
  @TempDir Path tmp;
  private final SourceOptions options = new SourceOptions(null, Map.of("HF_HUB_OFFLINE", "1"), Map.of());

  /** Stands in for the built-in models: one name, one folder, calls counted. */
  private static final class NamedFolderSource implements ModelSource {
    final AtomicInteger calls = new AtomicInteger();
    final String name;
    final Path folder;

    NamedFolderSource(String name, Path folder) {
      this.name = name;
      this.folder = folder;
    }

    @Override
    public Optional<Path> resolve(String nameOrPath, SourceOptions options) {
      calls.incrementAndGet();
      return nameOrPath.equals(name) ? Optional.of(folder) : Optional.empty();
    }

    @Override
    public String whyNot(String nameOrPath, SourceOptions options) {
      return "not a built-in model (" + name + ")";
    }
  }

  @Test
  void aLocalFolderWinsAndAFileUriIsALocalFolder() throws IOException {
    Path model = Files.createDirectories(tmp.resolve("my-model"));
    ModelSourceChain chain = new ModelSourceChain(ModelSources.defaultSources());
    assertEquals(model, chain.resolve(model.toString(), options));
    assertEquals(model, chain.resolve(model.toUri().toString(), options));
    assertThrows(NoSuchFileException.class, () -> chain.resolve(tmp.resolve("gone").toUri().toString(), options));
  }

  @Test
  void aNameNoSourceKnowsSaysWhatWasTried() {
    String missing = tmp.resolve("no/such/model").toString();
    ModelSourceChain chain = new ModelSourceChain(ModelSources.defaultSources());

    FileNotFoundException e = assertThrows(FileNotFoundException.class, () -> chain.resolve(missing, options));

    assertEquals("cannot find model '" + missing + "': not a local folder (" + missing + " does not exist), "
        + "not a built-in model name (bge-small-en-v1.5), not a Hadoop URI (no scheme such as hdfs:// or s3a://), not a Hub id (expected owner/name[@revision])", e.getMessage());
  }

  @Test
  void aPluggedSourceIsAskedInItsTurnAndEachNameIsResolvedOnce() throws IOException {
    Path builtin = Files.createDirectories(tmp.resolve("builtin"));
    NamedFolderSource named = new NamedFolderSource("bge-small-en-v1.5", builtin);
    ModelSourceChain chain = new ModelSourceChain(List.of(new LocalFolderSource(), named, new HubModelSource()));

    assertEquals(builtin, chain.resolve("bge-small-en-v1.5", options));
    assertEquals(builtin, chain.resolve(" bge-small-en-v1.5 ", options));
    assertEquals(1, named.calls.get(), "the second resolve is answered from memory");
    FileNotFoundException e = assertThrows(FileNotFoundException.class, () -> chain.resolve("bge-large", options));
    assertTrue(e.getMessage().contains("not a built-in model (bge-small-en-v1.5)"), e.getMessage());
  }
}
