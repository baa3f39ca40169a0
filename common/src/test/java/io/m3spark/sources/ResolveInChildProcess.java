package io.m3spark.sources;

import java.nio.file.Path;
import java.util.Map;

/** {@code main(endpoint, hubCache, repo)}: resolves a Hub model in a JVM of its own and prints the folder. */
public final class ResolveInChildProcess {
  private ResolveInChildProcess() {}

  public static void main(String[] args) throws Exception {
    SourceOptions options = new SourceOptions(null, Map.of("HF_ENDPOINT", args[0], "HF_HUB_CACHE", args[1]), Map.of());
    Path folder = new HubModelSource().resolve(args[2], options).orElseThrow();
    System.out.println(folder);
  }
}
