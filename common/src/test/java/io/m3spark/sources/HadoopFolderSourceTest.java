package io.m3spark.sources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HadoopFolderSourceTest {
  @TempDir Path tmp;
  private Path remote;
  private Path copies;

  @BeforeEach
  void makeRemoteFolder() throws IOException {
    remote = tmp.resolve("remote/bge-tiny");
    Files.createDirectories(remote.resolve("1_Pooling"));
    Files.writeString(remote.resolve("config.json"), "{\"hidden_size\": 32}");
    Files.write(remote.resolve("model.safetensors"), FakeHub.random(100_000, 1));
    Files.writeString(remote.resolve("1_Pooling/config.json"), "{}");
    copies = tmp.resolve("copies");
  }

  private SourceOptions options() {
    return new SourceOptions(null, Map.of("M3SPARK_MODEL_CACHE", copies.toString()), Map.of(
        "fs." + CountingFileSystem.SCHEME + ".impl", CountingFileSystem.class.getName(),
        "fs." + CountingFileSystem.SCHEME + ".impl.disable.cache", "true"));
  }

  private static void assertSameFiles(Path expected, Path actual) throws IOException {
    for (String f : List.of("config.json", "model.safetensors", "1_Pooling/config.json")) {
      assertEquals(-1, Files.mismatch(expected.resolve(f), actual.resolve(f)), f);
    }
  }

  @Test
  void aFileUriIsCopiedThroughHadoopOnceAndAgainWhenAFileChanges() throws IOException {
    HadoopFolderCache cache = new HadoopFolderCache(copies);
    org.apache.hadoop.fs.Path uri = new org.apache.hadoop.fs.Path(remote.toUri());

    Path first = cache.localCopy(uri, new Configuration());
    assertTrue(first.startsWith(copies) && first.getFileName().toString().startsWith("bge-tiny-"), first.toString());
    assertSameFiles(remote, first);

    Files.writeString(first.resolve("marker"), "a copy made again would not have this");
    assertEquals(first, cache.localCopy(uri, new Configuration()));
    assertTrue(Files.exists(first.resolve("marker")), "unchanged folder: the same copy, not copied again");

    Files.writeString(remote.resolve("config.json"), "{\"hidden_size\": 64}");
    Files.setLastModifiedTime(remote.resolve("config.json"), FileTime.fromMillis(1_000_000_000_000L));
    Path second = cache.localCopy(uri, new Configuration());
    assertNotEquals(first, second);
    assertEquals("{\"hidden_size\": 64}", Files.readString(second.resolve("config.json")));
  }

  @Test
  void aCustomSchemeGoesThroughHadoopsFileSystem() throws IOException {
    CountingFileSystem.OPENS.set(0);
    ModelSourceChain chain = new ModelSourceChain(List.of(new LocalFolderSource(), new HadoopFolderSource()));

    Path copy = chain.resolve(CountingFileSystem.SCHEME + "://" + remote, options());

    assertEquals(3, CountingFileSystem.OPENS.get(), "each file read through the registered FileSystem");
    assertTrue(copy.startsWith(copies));
    assertSameFiles(remote, copy);
  }

  @Test
  void aMissingRemoteFolderIsAnErrorNamingIt() {
    String uri = CountingFileSystem.SCHEME + "://" + tmp.resolve("nowhere");
    FileNotFoundException e = assertThrows(FileNotFoundException.class,
        () -> new HadoopFolderSource().resolve(uri, options()));
    assertTrue(e.getMessage().contains("nowhere"), e.getMessage());
  }

  @Test
  void anUnknownSchemeIsNotAHadoopUri() throws IOException {
    HadoopFolderSource source = new HadoopFolderSource();
    assertTrue(source.resolve("nosuchfs://host/model", options()).isEmpty());
    assertTrue(source.resolve("BAAI/bge-m3", options()).isEmpty());
    assertEquals("not a Hadoop URI (no FileSystem for scheme 'nosuchfs')", source.whyNot("nosuchfs://host/model", options()));
  }
}
