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
 * The revision, commit, ETag and path come from the user or the network: each is checked by {@link HubNames}, and
 * every path built here must stay inside the repository's folder (or its lock folder), else it is refused.
 */
public final class HubCacheLayout {
  private final HubRepoId repo;
  private final Path repoDir;
  private final Path lockDir;

  public HubCacheLayout(Path cacheDir, HubRepoId repo) {
    this.repo = repo;
    this.repoDir = cacheDir.resolve(repo.cacheFolderName()).toAbsolutePath().normalize();
    this.lockDir = cacheDir.resolve(".locks").resolve(repo.cacheFolderName()).toAbsolutePath().normalize();
  }

  public Path refFile(String revision) throws HubException {
    return inside(repoDir, "refs/" + HubNames.checkRelativePath(revision, repo + ": revision"));
  }

  public Path snapshotDir(String commit) throws HubException {
    return inside(repoDir, "snapshots/" + HubNames.checkCommit(commit, repo.toString()));
  }

  /** {@code snapshots/{commit}/{path}}, {@code path} being a file's path in the repository. */
  public Path snapshotFile(String commit, String path) throws HubException {
    return inside(snapshotDir(commit), HubNames.checkRelativePath(path, repo.toString()));
  }

  public Path blob(String etag) throws HubException {
    return inside(repoDir, "blobs/" + HubNames.checkEtag(etag, repo.toString()));
  }

  public Path incompleteBlob(String etag) throws HubException {
    return inside(repoDir, "blobs/" + HubNames.checkEtag(etag, repo.toString()) + ".incomplete");
  }

  public Path blobLock(String etag) throws HubException {
    return inside(lockDir, HubNames.checkEtag(etag, repo.toString()) + ".lock");
  }

  /** The commit {@code revision} pointed to when last resolved online. */
  public Optional<String> readRef(String revision) throws IOException {
    Path ref = refFile(revision);
    if (!Files.isRegularFile(ref)) {
      return Optional.empty();
    }
    return Optional.of(HubNames.checkCommit(Files.readString(ref, StandardCharsets.UTF_8).strip(), ref.toString()));
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
    Path file = snapshotFile(commit, path);
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

  /** {@code root/relative}, refused unless it stays under {@code root}: the one check every path above passes. */
  private Path inside(Path root, String relative) throws HubException {
    Path path = root.resolve(relative).normalize();
    if (path.equals(root) || !path.startsWith(root)) {
      throw new HubException(repo + ": " + HubNames.shown(relative) + " would lead outside " + root + "; refused");
    }
    return path;
  }
}
