package io.m3spark.sources;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A model repository on the Hugging Face Hub and the revision wanted: {@code owner/name} or
 * {@code owner/name@revision}, where the revision is a branch, a tag or a commit hash ({@code main} when omitted).
 */
public record HubRepoId(String owner, String name, String revision) {
  /** Names the Hub accepts: letters, digits, '-', '_', '.', not starting with '-' or '.', no "--" or "..". */
  private static final Pattern ID = Pattern.compile("([A-Za-z0-9_][A-Za-z0-9_.-]*)/([A-Za-z0-9_][A-Za-z0-9_.-]*)(?:@(.+))?");

  /** The id in {@code s}, or empty when {@code s} does not look like one. */
  public static Optional<HubRepoId> parse(String s) {
    Matcher m = ID.matcher(s);
    if (!m.matches() || s.contains("--") || s.contains("..")) {
      return Optional.empty();
    }
    return Optional.of(new HubRepoId(m.group(1), m.group(2), m.group(3) == null ? "main" : m.group(3)));
  }

  /** {@code owner/name}, as the Hub's URLs spell it. */
  public String repoId() {
    return owner + "/" + name;
  }

  /** Whether the revision is already a full commit hash, which never moves (so needs no ref in the cache). */
  public boolean revisionIsCommit() {
    return HubNames.isCommit(revision);
  }

  /** The repository's folder in huggingface_hub's cache: {@code models--owner--name}. */
  public String cacheFolderName() {
    return "models--" + owner + "--" + name;
  }

  @Override
  public String toString() {
    return repoId() + "@" + revision;
  }
}
