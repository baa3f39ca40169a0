package io.m3spark.sources;

import io.m3spark.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;

/**
 * Paths in huggingface_hub's cache for one repository, so Python and m3spark share downloads:
 * <pre>
 * {cache}/models--{owner}--{name}/refs/{revision}            the commit hash the revision pointed to
 * {cache}/models--{owner}--{name}/blobs/{etag}               file contents, named by ETag
 * {cache}/models--{owner}--{name}/blobs/{etag}.incomplete    a download in progress (resumable)
 * {cache}/models--{owner}--{name}/snapshots/{commit}/{path}  relative symlink to ../../blobs/{etag}
 * {cache}/.locks/models--{owner}--{name}/{etag}.lock         held while a blob is downloaded
 * </pre>
 * Lock files live where huggingface_hub puts its own, outside {@code blobs/}, so {@code blobs/} holds nothing else.
 */
public final class HubCacheLayout {
  private final Path cacheDir;
  private final Path repoDir;
  private final String repoFolder;

  public HubCacheLayout(Path cacheDir, HubRepoId repo) {
    this.cacheDir = cacheDir;
    this.repoFolder = repo.cacheFolderName();
    this.repoDir = cacheDir.resolve(repoFolder);
  }

  public Path refFile(String revision) {
    return repoDir.resolve("refs").resolve(revision);
  }

  public Path snapshotDir(String commit) {
    return repoDir.resolve("snapshots").resolve(commit);
  }

  public Path blob(String etag) {
    return repoDir.resolve("blobs").resolve(etag);
  }

  public Path incompleteBlob(String etag) {
    return repoDir.resolve("blobs").resolve(etag + ".incomplete");
  }

  public Path blobLock(String etag) {
    return cacheDir.resolve(".locks").resolve(repoFolder).resolve(etag + ".lock");
  }

  /** The commit {@code revision} pointed to when last resolved online. */
  public Optional<String> readRef(String revision) throws IOException {
    Path ref = refFile(revision);
    return Files.isRegularFile(ref) ? Optional.of(Files.readString(ref, StandardCharsets.UTF_8).strip()) : Optional.empty();
  }

  /** Records that {@code revision} points to {@code commit} (no trailing newline, as huggingface_hub writes it). */
  public void writeRef(String revision, String commit) throws IOException {
    Path ref = refFile(revision);
    if (readRef(revision).filter(commit::equals).isPresent()) {
      return;
    }
    Files.createDirectories(ref.getParent());
    Path tmp = ref.resolveSibling(ref.getFileName() + "." + UUID.randomUUID() + ".tmp");
    Files.writeString(tmp, commit, StandardCharsets.UTF_8);
    AtomicFiles.moveInto(tmp, ref);
  }

  /**
   * Points {@code snapshots/{commit}/{path}} at the blob with a relative symlink. Safe to repeat and to race: the link
   * is made under a unique name and renamed over whatever is there, which is atomic.
   */
  public Path linkSnapshotFile(String commit, String path, String etag) throws IOException {
    Path file = snapshotDir(commit).resolve(path);
    Files.createDirectories(file.getParent());
    Path target = file.getParent().relativize(blob(etag));
    if (Files.isSymbolicLink(file) && Files.readSymbolicLink(file).equals(target)) {
      return file;
    }
    Path tmp = file.resolveSibling("." + file.getFileName() + "." + UUID.randomUUID() + ".tmp");
    Files.createSymbolicLink(tmp, target);
    AtomicFiles.moveInto(tmp, file);
    return file;
  }
}
