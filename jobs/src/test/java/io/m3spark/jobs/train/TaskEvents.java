package io.m3spark.jobs.train;

import java.time.Duration;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;

/** Counts task starts and ends as Spark's listener bus reports them, and when the last task ended. */
final class TaskEvents extends SparkListener {
  private int started;
  private int ended;
  private long lastEndNanos;

  @Override
  public synchronized void onTaskStart(SparkListenerTaskStart start) {
    started++;
    notifyAll();
  }

  @Override
  public synchronized void onTaskEnd(SparkListenerTaskEnd end) {
    ended++;
    lastEndNanos = System.nanoTime();
    notifyAll();
  }

  synchronized int started() {
    return started;
  }

  /** Waits until every task that started has ended; returns when the last one did (System.nanoTime). */
  synchronized long awaitAllEnded(Duration limit) throws InterruptedException {
    await(() -> ended >= started, limit, "the end of all " + started + " started tasks");
    return lastEndNanos;
  }

  private void await(java.util.function.BooleanSupplier done, Duration limit, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!done.getAsBoolean()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("no " + what + " within " + limit + " (started " + started + ", ended " + ended + ")");
      }
      wait(Math.max(1, left / 1_000_000));
    }
  }
}
