package io.m3spark.jobs.train;

import io.m3spark.io.OutputFolder;
import io.m3spark.train.loop.ProgressFile;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Repeats rank 0's progress lines in the driver's log while the training stage runs: on a cluster the workers log on
 * the executors, and the driver (the spark-submit console, the Airflow task log) would otherwise be silent for hours.
 * It polls {@link ProgressFile}, wherever the output folder is stored, and logs each new step once.
 */
final class ProgressWatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ProgressWatcher.class);

  private final ScheduledExecutorService timer;
  private long lastStep = -1;

  ProgressWatcher(OutputFolder outputDir, Duration every) {
    timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "m3spark-train-progress");
      t.setDaemon(true);
      return t;
    });
    timer.scheduleWithFixedDelay(() -> ProgressFile.read(outputDir).ifPresent(p -> {
      if (p.step() != lastStep) {
        lastStep = p.step();
        LOG.info("[rank 0] {}", p.line());
      }
    }), every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
