package io.m3spark.jobs.embed;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.spark.executor.ExecutorMetrics;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.junit.jupiter.api.Test;
import scala.Option;
import scala.Tuple2;
import scala.Tuple4;
import scala.collection.JavaConverters;

/** The progress line counts what running tasks report with their heartbeats. */
class EmbedProgressTest {

  @Test
  void runningTasksCountFromHeartbeats() {
    try (EmbedProgress progress = new EmbedProgress(101L, 102L, 10, 60_000)) {
      assertTrue(progress.line().startsWith("embed: 0/10 texts (0.0%)"), progress.line());
      AccumulableInfo texts = new AccumulableInfo(101L, Option.apply("embed.texts"), Option.apply(4L), Option.empty(),
          false, false, Option.empty());
      AccumulableInfo tokens = new AccumulableInfo(102L, Option.apply("embed.tokens"), Option.apply(40L), Option.empty(),
          false, false, Option.empty());
      AccumulableInfo other = new AccumulableInfo(5L, Option.apply("other"), Option.apply(1000L), Option.empty(),
          false, false, Option.empty());
      Tuple4<Object, Object, Object, scala.collection.Seq<AccumulableInfo>> task =
          new Tuple4<>(7L, 1, 0, JavaConverters.asScalaBuffer(List.of(texts, tokens, other)).toSeq());
      progress.onExecutorMetricsUpdate(new SparkListenerExecutorMetricsUpdate("1",
          JavaConverters.asScalaBuffer(List.of(task)).toSeq(),
          new scala.collection.mutable.HashMap<Tuple2<Object, Object>, ExecutorMetrics>()));
      assertTrue(progress.line().startsWith("embed: 4/10 texts (40.0%)"), progress.line());
    }
  }
}
