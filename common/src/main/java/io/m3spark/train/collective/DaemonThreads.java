package io.m3spark.train.collective;

import java.util.concurrent.ThreadFactory;

/** Names the ring's helper threads after their rank and job, and makes them daemons: they must never keep a JVM up. */
final class DaemonThreads {
  private DaemonThreads() {}

  static ThreadFactory named(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
