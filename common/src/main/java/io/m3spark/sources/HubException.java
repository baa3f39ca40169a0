package io.m3spark.sources;

import java.io.IOException;

/**
 * The Hub refused or could not serve a model (not found, gated, not cached while offline, bad download): a final
 * answer that retrying will not change, as opposed to a plain {@link IOException} from a dropped connection.
 */
public class HubException extends IOException {
  public HubException(String message) {
    super(message);
  }
}
