package io.m3spark.sources;

import static io.m3spark.sources.FakeHub.COMMIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The names that reach the cache from the user or from disk; those from the network are in {@link HubModelSourceTest}. */
class HubCacheLayoutTest {
  @TempDir Path tmp;

  private HubCacheLayout layout() {
    return new HubCacheLayout(tmp.resolve("hub"), HubRepoId.parse("BAAI/bge-m3").orElseThrow());
  }

  @Test
  void subFoldersAndBranchesWithSlashesAreFine() throws IOException {
    Path repoDir = tmp.resolve("hub/models--BAAI--bge-m3");
    assertEquals(repoDir.resolve("snapshots/" + COMMIT + "/1_Pooling/config.json"),
        layout().snapshotFile(COMMIT, "1_Pooling/config.json"));
    assertEquals(repoDir.resolve("refs/refs/pr/1"), layout().refFile("refs/pr/1"));
    String sha256 = "ab".repeat(32);
    assertEquals(tmp.resolve("hub/.locks/models--BAAI--bge-m3/" + sha256 + ".lock"), layout().blobLock(sha256));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/tmp/evil", "a\\b", "x\u0000y", "refs//pr", "./main", "v1/..", ""})
  void aRevisionThatIsNoRelativePathIsRefused(String revision) {
    HubException e = assertThrows(HubException.class, () -> layout().refFile(revision));
    assertTrue(e.getMessage().startsWith("BAAI/bge-m3@main: revision: the path '"), e.getMessage());
    assertTrue(e.getMessage().endsWith("; refusing to use it in the cache"), e.getMessage());
  }

  @Test
  void aRefFileThatHoldsNoCommitIsRefused() throws IOException {
    Path ref = layout().refFile("main");
    Files.createDirectories(ref.getParent());
    Files.writeString(ref, "../../../etc");

    HubException e = assertThrows(HubException.class, () -> layout().readRef("main"));
    assertEquals(ref + ": the commit hash '../../../etc' is not 40 lowercase hex digits; refusing to use it as a cache"
        + " folder name", e.getMessage());
  }

  @Test
  void blobNamesAreEtagsOnly() {
    for (String etag : new String[] {"..", "a/b", "a.lock", "x".repeat(129), ""}) {
      assertThrows(HubException.class, () -> layout().blob(etag), etag);
      assertThrows(HubException.class, () -> layout().blobLock(etag), etag);
    }
  }

  @Test
  void messagesShowUntrustedValuesShortAndEscaped() {
    assertEquals("'a\\u0000b\\u001b[31m'", HubNames.shown("a\u0000b\u001b[31m"));
    String shown = HubNames.shown("y".repeat(10_000));
    assertEquals("'" + "y".repeat(HubNames.SHOWN_CHARS) + "'... (10000 chars)", shown);
  }
}
