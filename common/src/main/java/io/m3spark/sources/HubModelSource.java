package io.m3spark.sources;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Hub id {@code owner/name[@revision]}: the model's files in huggingface_hub's cache, downloaded if missing, and
 * the snapshot folder returned. Online, one listing call finds the revision's commit; files already in that commit's
 * snapshot are not asked about again. Offline ({@code HF_HUB_OFFLINE=1}), or when the Hub cannot be reached, the
 * cached snapshot of the revision is used.
 */
public final class HubModelSource implements ModelSource {
  private static final Logger LOG = LoggerFactory.getLogger(HubModelSource.class);
  /** Tries per file within one resolve; each continues where the last stopped. */
  public static final int DEFAULT_DOWNLOAD_ATTEMPTS = 3;

  private final int downloadAttempts;

  public HubModelSource() {
    this(DEFAULT_DOWNLOAD_ATTEMPTS);
  }

  public HubModelSource(int downloadAttempts) {
    this.downloadAttempts = downloadAttempts;
  }

  @Override
  public Optional<Path> resolve(String nameOrPath, SourceOptions options) throws IOException {
    Optional<HubRepoId> repo = HubRepoId.parse(nameOrPath);
    if (repo.isEmpty()) {
      return Optional.empty();
    }
    HubSettings settings = HubSettings.from(options);
    HubCacheLayout layout = new HubCacheLayout(settings.cacheDir(), repo.get());
    if (settings.offline()) {
      return Optional.of(cachedSnapshot(repo.get(), layout).orElseThrow(() -> new HubException(repo.get()
          + " is not in the Hugging Face cache " + settings.cacheDir() + " and HF_HUB_OFFLINE is set, so it cannot be"
          + " downloaded: fetch it once with network access, or point --cache_dir/HF_HUB_CACHE at a cache that has it")));
    }
    return Optional.of(download(repo.get(), layout, settings));
  }

  @Override
  public String whyNot(String nameOrPath, SourceOptions options) {
    return "not a Hub id (expected owner/name[@revision])";
  }

  /** The snapshot the cache has for the revision, if it has one with a config. */
  private static Optional<Path> cachedSnapshot(HubRepoId repo, HubCacheLayout layout) throws IOException {
    Optional<String> commit = repo.revisionIsCommit() ? Optional.of(repo.revision()) : layout.readRef(repo.revision());
    if (commit.isEmpty()) {
      return Optional.empty();
    }
    Path dir = layout.snapshotDir(commit.get());
    return Files.isRegularFile(dir.resolve("config.json")) ? Optional.of(dir) : Optional.empty();
  }

  private Path download(HubRepoId repo, HubCacheLayout layout, HubSettings settings) throws IOException {
    HubClient client = new HubClient(settings);
    HubClient.RepoInfo info;
    try {
      info = client.repoInfo(repo);
    } catch (HubException e) {
      throw e;
    } catch (IOException e) { // connection refused, timeout: the Hub is unreachable, not saying no
      Optional<Path> cached = cachedSnapshot(repo, layout);
      if (cached.isPresent()) {
        LOG.warn("Cannot reach {} ({}); using the cached {}", settings.endpoint(), e.toString(), cached.get());
        return cached.get();
      }
      throw new IOException("cannot reach the Hub at " + settings.endpoint() + " for " + repo + " (" + e + ")", e);
    }
    BlobDownloader downloader = new BlobDownloader(client, downloadAttempts);
    Deque<String> pending = new ArrayDeque<>(ModelFileSelection.select(repo, info.files()));
    // each file once, whatever an index lists: a shard list that named an index again must not loop
    Set<String> seen = new HashSet<>(pending);
    while (!pending.isEmpty()) {
      String path = pending.poll();
      Path local = layout.snapshotFile(info.commit(), path);
      if (!Files.exists(local)) { // follows the link: a link to a deleted blob is fetched again
        HubFile file = client.fileMetadata(repo, info.commit(), path);
        if (!file.commit().equals(info.commit())) {
          throw new HubException(path + " of " + repo + " came from commit " + HubNames.shown(file.commit()) + ", not "
              + info.commit());
        }
        downloader.fetch(repo, layout, file);
        layout.linkSnapshotFile(info.commit(), path, file.etag());
      }
      if (ModelFileSelection.isIndex(path)) {
        for (String shard : ModelFileSelection.shards(repo, path, local)) {
          if (seen.add(shard)) {
            pending.add(shard);
          }
        }
      }
    }
    // written last, so offline mode never picks a snapshot whose download did not finish
    if (!repo.revisionIsCommit()) {
      layout.writeRef(repo.revision(), info.commit());
    }
    return layout.snapshotDir(info.commit());
  }
}
