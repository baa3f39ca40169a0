package io.m3spark.cli;

/** Turns an exception from a job into the message a user needs, without Spark's wrapping. */
public final class Errors {
  private Errors() {}

  /**
   * The innermost message that says what went wrong. Spark wraps a task's exception in a SparkException whose message
   * is a stage-failure report with a stack trace; the cause chain still holds the original exception.
   */
  public static String userMessage(Throwable t) {
    Throwable best = t;
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c.getMessage() != null && !isWrapper(c)) {
        best = c;
        break;
      }
      best = c;
    }
    String msg = best.getMessage();
    return msg == null ? best.getClass().getSimpleName() : msg;
  }

  private static boolean isWrapper(Throwable t) {
    String name = t.getClass().getName();
    return name.equals("org.apache.spark.SparkException")
        || name.equals("java.util.concurrent.ExecutionException")
        || name.equals("java.lang.reflect.InvocationTargetException")
        || (t instanceof RuntimeException && t.getCause() != null && t.getMessage() != null
            && t.getMessage().equals(t.getCause().toString()));
  }
}
