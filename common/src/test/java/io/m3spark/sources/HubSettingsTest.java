package io.m3spark.sources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HubSettingsTest {
  @TempDir Path tmp;

  private HubSettings settings(String cacheDirFlag, Map<String, String> env) {
    return HubSettings.from(new SourceOptions(cacheDirFlag, env, Map.of()));
  }

  @Test
  void defaultsMatchHuggingfaceHub() {
    HubSettings s = settings(null, Map.of("HOME", tmp.toString()));
    assertEquals(URI.create("https://huggingface.co"), s.endpoint());
    assertEquals(tmp.resolve(".cache/huggingface/hub"), s.cacheDir());
    assertEquals(Optional.empty(), s.bearerToken());
    assertFalse(s.offline());
    assertEquals(Duration.ofSeconds(60), s.timeout());
  }

  @Test
  void downloadTimeoutInSecondsAsHuggingfaceHubReadsIt() {
    assertEquals(Duration.ofMillis(2500), settings(null, Map.of("HF_HUB_DOWNLOAD_TIMEOUT", "2.5")).timeout());
    for (String bad : new String[] {"0", "-1", "ten", "NaN", "1e9"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> settings(null, Map.of("HF_HUB_DOWNLOAD_TIMEOUT", bad)), bad);
      assertEquals("HF_HUB_DOWNLOAD_TIMEOUT='" + bad + "': expected a number of seconds from 0.001 to 86400", e.getMessage());
    }
  }

  @Test
  void cacheDirFlagThenHfHubCacheThenHfHome() {
    Map<String, String> env = Map.of("HOME", tmp.toString(), "HF_HOME", "/hf", "HF_HUB_CACHE", "/hub-cache");
    assertEquals(Path.of("/flag"), settings("/flag", env).cacheDir());
    assertEquals(Path.of("/hub-cache"), settings(null, env).cacheDir());
    assertEquals(Path.of("/hf/hub"), settings(null, Map.of("HF_HOME", "/hf")).cacheDir());
  }

  @Test
  void tokenFromVariableThenTokenPathThenHfHomeFile() throws IOException {
    Files.writeString(tmp.resolve("token"), "hf_from_home\n");
    Files.writeString(tmp.resolve("other"), "hf_from_path");
    assertEquals(Optional.of("hf_env"), settings(null, Map.of("HF_TOKEN", "hf_env", "HF_HOME", tmp.toString())).bearerToken());
    assertEquals(Optional.of("hf_from_path"),
        settings(null, Map.of("HF_TOKEN_PATH", tmp.resolve("other").toString(), "HF_HOME", tmp.toString())).bearerToken());
    HubSettings fromHome = settings(null, Map.of("HF_HOME", tmp.toString()));
    assertEquals(Optional.of("hf_from_home"), fromHome.bearerToken());
    assertFalse(fromHome.toString().contains("hf_from_home"), "toString must not leak the token");
  }

  @Test
  void endpointAndOfflineSwitch() {
    HubSettings s = settings(null, Map.of("HF_ENDPOINT", "https://hf-mirror.example/", "HF_HUB_OFFLINE", "yes"));
    assertEquals(URI.create("https://hf-mirror.example"), s.endpoint());
    assertTrue(s.offline());
    assertFalse(settings(null, Map.of("HF_HUB_OFFLINE", "0")).offline());
  }

  @Test
  void hubIdsAndWhatIsNotOne() {
    assertEquals(new HubRepoId("BAAI", "bge-m3", "main"), HubRepoId.parse("BAAI/bge-m3").orElseThrow());
    assertEquals(new HubRepoId("BAAI", "bge-m3", "refs/pr/1"), HubRepoId.parse("BAAI/bge-m3@refs/pr/1").orElseThrow());
    assertEquals("models--BAAI--bge-m3", HubRepoId.parse("BAAI/bge-m3").orElseThrow().cacheFolderName());
    for (String notAnId : new String[] {"bge-m3", "/models/bge-m3", "a/b/c", "../x", "a--b/c", "hdfs://nn/models/m3"}) {
      assertTrue(HubRepoId.parse(notAnId).isEmpty(), notAnId);
    }
  }
}
