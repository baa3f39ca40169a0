package io.m3spark.sources;

import java.net.URI;

/**
 * What the Hub says about one file at one commit (from {@code HEAD .../resolve/{commit}/{path}}).
 *
 * @param path the file's path in the repository
 * @param commit {@code X-Repo-Commit}
 * @param etag the blob's name in the cache: {@code X-Linked-Etag} (SHA-256 of an LFS file) else {@code ETag} (git SHA-1)
 * @param size {@code X-Linked-Size} else {@code Content-Length}
 * @param downloadUri where to GET the bytes: the CDN location the Hub redirects LFS files to, else the resolve URL
 */
public record HubFile(String path, String commit, String etag, long size, URI downloadUri) {}
