package io.m3spark.jobs.embed;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple4;
import scala.collection.JavaConverters;

/**
 * Driver-side progress of the embedding stage: texts done / total, texts/s, tokens/s and ETA, logged every few seconds.
 * Tasks add to two accumulators after every batch. Running tasks ship their partial values with each executor heartbeat
 * ({@code spark.executor.heartbeatInterval}), which the listener bus delivers as {@code onExecutorMetricsUpdate}; a finished
 * task's final values arrive with {@code onTaskEnd}. Both are plain scheduler events, so this works the same in local and
 * cluster mode; its resolution is the heartbeat interval (finished tasks count at once).
 */
public final class EmbedProgress extends SparkListener implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbedProgress.class);

  private final long textsId;
  private final long tokensId;
  private final long total;
  private final long startNanos = System.nanoTime();
  private final Map<Long, long[]> running = new ConcurrentHashMap<>();
  private final AtomicLong finishedTexts = new AtomicLong();
  private final AtomicLong finishedTokens = new AtomicLong();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "m3spark-embed-progress");
    t.setDaemon(true);
    return t;
  });

  public EmbedProgress(LongAccumulator texts, LongAccumulator tokens, long total, long intervalMillis) {
    this(texts.id(), tokens.id(), total, intervalMillis);
  }

  EmbedProgress(long textsAccumulatorId, long tokensAccumulatorId, long total, long intervalMillis) {
    this.textsId = textsAccumulatorId;
    this.tokensId = tokensAccumulatorId;
    this.total = total;
    timer.scheduleAtFixedRate(() -> LOG.info(line()), intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
  }

  @Override
  public void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate update) {
    for (Tuple4<Object, Object, Object, scala.collection.Seq<AccumulableInfo>> task :
        JavaConverters.seqAsJavaList(update.accumUpdates())) {
      long[] values = valuesOf(task._4());
      if (values != null) {
        running.put((Long) task._1(), values);
      }
    }
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd end) {
    running.remove(end.taskInfo().taskId());
    if (end.taskInfo().successful()) {
      long[] values = valuesOf(end.taskInfo().accumulables());
      if (values != null) {
        finishedTexts.addAndGet(values[0]);
        finishedTokens.addAndGet(values[1]);
      }
    }
  }

  /** {texts, tokens} from a task's accumulator updates, or null when the task is not an embedding task. */
  private long[] valuesOf(scala.collection.Seq<AccumulableInfo> infos) {
    long[] values = null;
    for (AccumulableInfo info : JavaConverters.seqAsJavaList(infos)) {
      if ((info.id() == textsId || info.id() == tokensId) && info.update().isDefined()) {
        values = values == null ? new long[2] : values;
        values[info.id() == textsId ? 0 : 1] = ((Number) info.update().get()).longValue();
      }
    }
    return values;
  }

  /** e.g. {@code embed: 1200/5000 texts (24.0%), 310.2 texts/s, 40211 tokens/s, ETA 12s}. */
  public String line() {
    long texts = finishedTexts.get();
    long tokens = finishedTokens.get();
    for (long[] v : running.values()) {
      texts += v[0];
      tokens += v[1];
    }
    texts = Math.min(texts, total);
    double seconds = Math.max(1e-9, (System.nanoTime() - startNanos) / 1e9);
    double textsPerSecond = texts / seconds;
    String eta = texts == 0 ? "unknown" : formatSeconds((total - texts) / textsPerSecond);
    return String.format(Locale.ROOT, "embed: %d/%d texts (%.1f%%), %.1f texts/s, %.0f tokens/s, ETA %s", texts, total,
        total == 0 ? 100.0 : 100.0 * texts / total, textsPerSecond, tokens / seconds, eta);
  }

  private static String formatSeconds(double s) {
    long t = Math.round(s);
    return t >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", t / 3600, t / 60 % 60)
        : t >= 60 ? String.format(Locale.ROOT, "%dm%02ds", t / 60, t % 60) : t + "s";
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
