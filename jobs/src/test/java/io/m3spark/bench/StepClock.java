package io.m3spark.bench;

import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * Times the optimizer steps of a real {@code m3spark train} job in this JVM (local mode) from outside: with
 * {@code --logging_steps 1} the training loop logs a progress line ({@code step N/T ...}) at the end of every step, and
 * this appender notes when each one arrives. The gaps between consecutive lines are the step times, everything the
 * loop does between two steps included (batch assembly, forward, backward, all-reduce, clipping, AdamW, logging).
 */
final class StepClock extends AbstractAppender implements AutoCloseable {
  private static final String LOGGER = "io.m3spark.train.loop.TrainLoop";
  private final List<Long> ends = new ArrayList<>();
  private final LoggerConfig config;

  private StepClock(LoggerConfig config) {
    super("m3spark-step-clock", null, null, true, Property.EMPTY_ARRAY);
    this.config = config;
  }

  /** Starts listening to the training loop's log; close to stop. */
  static StepClock attach() {
    LoggerContext context = (LoggerContext) LogManager.getContext(false);
    LoggerConfig config = context.getConfiguration().getLoggerConfig(LOGGER);
    StepClock clock = new StepClock(config);
    clock.start();
    config.addAppender(clock, Level.INFO, null);
    context.updateLoggers();
    return clock;
  }

  @Override
  public synchronized void append(LogEvent event) {
    if (event.getLoggerName().equals(LOGGER) && event.getMessage().getFormattedMessage().startsWith("step ")) {
      ends.add(System.nanoTime());
    }
  }

  /** Seconds of each step after the first logged one (step 1 has no start mark, so it is never included). */
  synchronized double[] stepSeconds() {
    double[] s = new double[Math.max(0, ends.size() - 1)];
    for (int i = 0; i < s.length; i++) {
      s[i] = (ends.get(i + 1) - ends.get(i)) / 1e9;
    }
    return s;
  }

  @Override
  public void close() {
    config.removeAppender(getName());
    ((LoggerContext) LogManager.getContext(false)).updateLoggers();
    stop();
  }
}
