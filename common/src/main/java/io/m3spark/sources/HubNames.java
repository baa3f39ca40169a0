package io.m3spark.sources;

import java.util.regex.Pattern;

/**
 * The rules for names that become paths in the Hub cache although they come from outside: the commit hash and ETags
 * the Hub (or a mirror, or a proxy on the way) sends, file names in a shard index, the revision the user asks for. A
 * hostile endpoint must not be able to name a file outside the cache, so each name is checked where it arrives and
 * {@link HubCacheLayout} checks every path it builds once more. Messages show the rejected value shortened and with
 * control characters escaped, since it is as untrusted as the rest.
 */
final class HubNames {
  /** How much of an untrusted value a message shows. */
  static final int SHOWN_CHARS = 80;
  private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");
  /** What the Hub sends (40 or 64 hex digits) and what proxies usually do; no '.', so never "..", "x.lock" or "x.incomplete". */
  private static final Pattern ETAG = Pattern.compile("[A-Za-z0-9_-]{1,128}");
  private static final int MAX_PATH_CHARS = 1000;

  private HubNames() {}

  /** Whether {@code s} is a full commit hash as the Hub writes it: 40 lowercase hex digits. */
  static boolean isCommit(String s) {
    return COMMIT.matcher(s).matches();
  }

  /** {@code sha} if it is a commit hash; otherwise says so, naming {@code context}. */
  static String checkCommit(String sha, String context) throws HubException {
    if (!isCommit(sha)) {
      throw new HubException(context + ": the commit hash " + shown(sha) + " is not 40 lowercase hex digits;"
          + " refusing to use it as a cache folder name");
    }
    return sha;
  }

  /** {@code etag} (already without quotes and {@code W/}) if it is safe as a file name in {@code blobs/}. */
  static String checkEtag(String etag, String context) throws HubException {
    if (!ETAG.matcher(etag).matches()) {
      throw new HubException(context + ": the ETag " + shown(etag) + " is not a safe cache file name"
          + " (1 to 128 letters, digits, '-' or '_')");
    }
    return etag;
  }

  /**
   * {@code path} if it is a relative path inside a folder: '/'-separated, sub-folders allowed, but no empty, "." or
   * ".." segment, no leading '/', no backslash and no control character (NUL included).
   */
  static String checkRelativePath(String path, String context) throws HubException {
    String reason = null;
    if (path.isEmpty() || path.length() > MAX_PATH_CHARS) {
      reason = "is empty or longer than " + MAX_PATH_CHARS + " characters";
    } else if (path.chars().anyMatch(c -> c == '\\' || Character.isISOControl(c))) {
      reason = "contains a backslash or a control character";
    } else {
      for (String segment : path.split("/", -1)) {
        if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
          reason = "is absolute or has an empty, '.' or '..' segment";
          break;
        }
      }
    }
    if (reason != null) {
      throw new HubException(context + ": the path " + shown(path) + " " + reason + "; refusing to use it in the cache");
    }
    return path;
  }

  /** {@code value} quoted for a message: its first {@link #SHOWN_CHARS} characters, control characters escaped. */
  static String shown(String value) {
    StringBuilder b = new StringBuilder("'");
    value.codePoints().limit(SHOWN_CHARS).forEach(c -> {
      if (Character.isISOControl(c)) {
        b.append(String.format("\\u%04x", c));
      } else {
        b.appendCodePoint(c);
      }
    });
    b.append('\'');
    if (value.codePointCount(0, value.length()) > SHOWN_CHARS) {
      b.append("... (").append(value.length()).append(" chars)");
    }
    return b.toString();
  }
}
