package io.m3spark.jobs.spark;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Wall time per stage of a job, logged as each stage ends and reported in the job's result. */
public final class StageClock {
  private static final Logger LOG = LoggerFactory.getLogger(StageClock.class);

  private final Map<String, Double> seconds = new LinkedHashMap<>();
  private long last = System.nanoTime();

  /** Ends the stage that ran since the previous call (or since construction); a repeated name adds up. */
  public void stage(String name) {
    long now = System.nanoTime();
    double s = (now - last) / 1e9;
    seconds.merge(name, s, Double::sum);
    last = now;
    LOG.info(String.format(Locale.ROOT, "stage %s: %.1f s", name, s));
  }

  /** Stage name → seconds, in the order the stages first ended. */
  public Map<String, Double> seconds() {
    return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(seconds));
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    seconds.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ")
        .append(String.format(Locale.ROOT, "%s %.1f s", k, v)));
    return sb.toString();
  }
}
